/**
 * The GPU collector: runs `nvidia-smi -q -x` through the injected runner, parses it with
 * @genesis/gpu and swaps the GPU families in. A failed or hung run leaves the last good sample.
 */
import { parseNvidiaSmiXml } from '@genesis/gpu';
import type { CommandRunner } from '../../lib/command-runner';
import type { FamilySet } from '../../lib/snapshot-family';
import { defineGpuFamilies, gpuBatch } from './gpu-metrics';

export interface GpuCollectorOptions {
  nvidiaSmi: string;
  timeoutMs: number;
  runner: CommandRunner;
  families: FamilySet;
}

export const NVIDIA_SMI_ARGS = ['-q', '-x'];

export function createGpuCollector(options: GpuCollectorOptions) {
  defineGpuFamilies(options.families);
  return async (signal: AbortSignal): Promise<void> => {
    const { stdout } = await options.runner.run(options.nvidiaSmi, NVIDIA_SMI_ARGS, { timeoutMs: options.timeoutMs, signal });
    const report = parseNvidiaSmiXml(stdout);
    options.families.replaceAll(gpuBatch(report));
  };
}
