import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NvidiaSmiParseError, parseNvidiaSmiXml } from './parse';

const MiB = 1024 * 1024;
const SHARED = join(__dirname, '../../../../../shared/fixtures/nvidia-smi');
const haveShared = existsSync(SHARED);
if (!haveShared && process.env.CI === 'true') {
  throw new Error(`CI=true but the real nvidia-smi captures are missing at ${SHARED}: check out ../shared beside the repo`);
}
const withShared = haveShared ? describe : describe.skip;
if (!haveShared) console.warn(`skipping real nvidia-smi captures: ${SHARED} not found`);

const shared = (name: string) => parseNvidiaSmiXml(readFileSync(join(SHARED, name), 'utf8'));
const own = (name: string) => parseNvidiaSmiXml(readFileSync(join(__dirname, 'fixtures', name), 'utf8'));

withShared('real captures', () => {
  it('reads the v12 RTX 3090 in a VM (power_readings, clocks_throttle_reasons)', () => {
    const report = shared('rtx-3090-v12.xml');
    expect(report).toMatchObject({ schemaVersion: 12, driverVersion: '525.147.05', cudaVersion: '12.0', attachedGpus: 1 });
    expect(report.gpus).toHaveLength(1);
    const gpu = report.gpus[0];
    expect(gpu).toMatchObject({
      index: 0,
      uuid: 'GPU-12345678-aaaa-bbbb-cccc-0123456789ab',
      name: 'NVIDIA GeForce RTX 3090',
      pciBusId: '00000000:00:10.0',
      vbiosVersion: '94.02.71.40.72',
      virtualizationMode: 'Pass-Through',
      performanceState: 8,
      fanSpeedRatio: 0,
    });
    expect(gpu.memory).toEqual({ totalBytes: 24576 * MiB, usedBytes: 1 * MiB, freeBytes: 24258 * MiB, reservedBytes: 316 * MiB });
    expect(gpu.temperature).toEqual({ gpuCelsius: 37, shutdownCelsius: 98, slowdownCelsius: 95, maxOperatingCelsius: 93, targetCelsius: 83 });
    expect(gpu.power).toEqual({
      drawWatts: 27.23,
      limitWatts: 200,
      requestedLimitWatts: 200,
      defaultLimitWatts: 350,
      minLimitWatts: 100,
      maxLimitWatts: 375,
      state: 8,
    });
    expect(gpu.clockEventReasons.gpu_idle).toBe(true);
    expect(gpu.clockEventReasons.sw_power_cap).toBe(false);
    expect(gpu.clocks).toEqual({ graphicsHz: 0, smHz: 0, memoryHz: 405e6, videoHz: 555e6 });
  });

  it('leaves N/A and [REDACTED] values out instead of reporting 0', () => {
    const gpu = shared('rtx-3090-v12.xml').gpus[0];
    expect(gpu.serial).toBeUndefined();
    expect(gpu.temperature.memoryCelsius).toBeUndefined();
    expect(gpu.ecc.enabled).toBeUndefined();
    expect(gpu.ecc.errors).toEqual([]);
    expect(gpu.retiredPages).toEqual({ singleBit: undefined, doubleBit: undefined, pending: undefined });
    expect('jpeg' in gpu.utilization && gpu.utilization.jpeg !== undefined).toBe(false);
    expect(gpu.power.instantDrawWatts).toBeUndefined();
  });

  it('reads the v13 RTX 3090 (gpu_power_readings average/instant, clocks_event_reasons, deprecated fields)', () => {
    const report = shared('3090-v13.xml');
    expect(report).toMatchObject({ schemaVersion: 13, driverVersion: '590.44.01', cudaVersion: '13.1' });
    const gpu = report.gpus[0];
    expect(gpu.pciBusId).toBe('00000000:09:00.0');
    expect(gpu.power.drawWatts).toBe(35.06);
    expect(gpu.power.instantDrawWatts).toBe(35.15);
    expect(gpu.power.limitWatts).toBe(350);
    expect(gpu.power.maxLimitWatts).toBe(480);
    // power_state reads "Requested functionality has been deprecated" on v13.
    expect(gpu.power.state).toBeUndefined();
    expect(gpu.clockEventReasons.sw_power_cap).toBe(true);
    expect(gpu.clockEventReasonSeconds.sw_power_cap).toBeCloseTo(9840.338777, 6);
    expect(gpu.clockEventReasonSeconds.hw_thermal_slowdown).toBe(0);
    expect(gpu.utilization).toEqual({ gpu: 0, memory: 0.01, encoder: 0, decoder: 0, jpeg: 0, ofa: 0 });
    expect(gpu.pcie).toEqual({
      currentGeneration: 1,
      maxGeneration: 4,
      currentWidth: 16,
      maxWidth: 16,
      txBytesPerSecond: 488 * 1024,
      rxBytesPerSecond: 439 * 1024,
      replayCount: 0,
    });
    expect(gpu.bar1).toEqual({ totalBytes: 256 * MiB, usedBytes: 7 * MiB, freeBytes: 249 * MiB, reservedBytes: undefined });
    expect(gpu.recoveryAction).toBe('None');
    expect(gpu.mig).toEqual({ enabled: undefined, pendingEnabled: undefined, devices: [] });
  });

  it('reads the A100 with MIG enabled and four MIG devices', () => {
    const report = shared('a100-sxm4-v12.xml');
    expect(report.attachedGpus).toBe(4);
    expect(report.gpus).toHaveLength(1);
    const gpu = report.gpus[0];
    expect(gpu).toMatchObject({ name: 'NVIDIA A100-SXM4-80GB', serial: '1650522003820', minorNumber: 1, resetRequired: false });
    expect(gpu.power.drawWatts).toBe(67.03);
    expect(gpu.utilization.gpu).toBeUndefined();
    expect(gpu.temperature.memoryCelsius).toBe(44);
    expect(gpu.ecc.enabled).toBe(true);
    expect(gpu.ecc.errors).toHaveLength(8);
    expect(gpu.ecc.errors.every((e) => e.count === 0)).toBe(true);
    expect(gpu.voltageVolts).toBeCloseTo(0.9125, 6);
    expect(gpu.fanSpeedRatio).toBeUndefined();
    expect(gpu.mig.enabled).toBe(true);
    expect(gpu.mig.devices).toHaveLength(4);
    expect(gpu.mig.devices.map((d) => d.gpuInstanceId)).toEqual([3, 4, 5, 6]);
    expect(gpu.mig.devices[0]).toEqual({
      index: 0,
      gpuInstanceId: 3,
      computeInstanceId: 0,
      multiprocessorCount: 14,
      memory: { totalBytes: 19968 * MiB, usedBytes: 12 * MiB, freeBytes: 19955 * MiB, reservedBytes: 0 },
      bar1: { totalBytes: 32767 * MiB, usedBytes: 0, freeBytes: 32767 * MiB, reservedBytes: undefined },
      volatileSramUncorrectable: 0,
    });
  });
});

describe('synthetic captures in the real format', () => {
  it('reads every GPU of a two-GPU report with its processes', () => {
    const report = own('2x-rtx-3090-v13.xml');
    expect(report.attachedGpus).toBe(2);
    expect(report.gpus.map((g) => [g.index, g.pciBusId, g.uuid])).toEqual([
      [0, '00000000:09:00.0', 'GPU-3a1f0c52-5b7e-4d21-9c3e-7f00a1b2c301'],
      [1, '00000000:0A:00.0', 'GPU-8d42e9b0-1c6a-4f3b-a5d8-2e9f40c7d402'],
    ]);
    const [busy, idle] = report.gpus;
    expect(busy.memory.usedBytes).toBe(21813 * MiB);
    expect(busy.utilization.gpu).toBe(0.87);
    expect(busy.power.drawWatts).toBe(312.48);
    expect(busy.processes).toEqual([
      { pid: 2417, type: 'C', name: '/opt/vllm/.venv/bin/python3', usedMemoryBytes: 21796 * MiB, gpuInstanceId: undefined, computeInstanceId: undefined },
    ]);
    expect(busy.clocks.smHz).toBe(1695e6);
    // average N/A: the draw is absent, not 0, even though the instant reading exists.
    expect(idle.power.drawWatts).toBeUndefined();
    expect(idle.power.instantDrawWatts).toBe(21.87);
    expect(idle.fanSpeedRatio).toBeUndefined();
    expect(idle.pcie.txBytesPerSecond).toBeUndefined();
    expect(idle.processes).toEqual([]);
  });

  it('reads the fault signals of an XID-class error: recovery action, ECC, remapped rows, hardware slowdown', () => {
    const gpu = own('a100-pcie-v13-xid-throttled.xml').gpus[0];
    expect(gpu.recoveryAction).toBe('Drain and Reset');
    expect(gpu.clockEventReasons).toMatchObject({ hw_slowdown: true, hw_thermal_slowdown: true, gpu_idle: false });
    expect(gpu.clockEventReasonSeconds.hw_thermal_slowdown).toBe(42.5);
    expect(gpu.ecc.enabled).toBe(true);
    expect(gpu.ecc.errors).toContainEqual({ scope: 'volatile', location: 'dram', type: 'uncorrectable', count: 2 });
    expect(gpu.ecc.errors).toContainEqual({ scope: 'aggregate', location: 'sram', type: 'uncorrectable_secded', count: 1 });
    expect(gpu.remappedRows).toEqual({ correctable: 3, uncorrectable: 5, pending: true, failure: false });
    expect(gpu.temperature).toMatchObject({ gpuCelsius: 89, memoryCelsius: 93, memoryMaxCelsius: 95 });
    expect(gpu.power.limitWatts).toBe(300);
  });
});

describe('bad input', () => {
  it('names what it expected when given something else', () => {
    expect(() => parseNvidiaSmiXml('NVIDIA-SMI has failed because it could not communicate with the NVIDIA driver.')).toThrow(
      NvidiaSmiParseError,
    );
    expect(() => parseNvidiaSmiXml('')).toThrow(/nvidia-smi -q -x/);
  });

  it('reads a report without GPUs as an empty list', () => {
    expect(parseNvidiaSmiXml('<?xml version="1.0" ?><nvidia_smi_log><attached_gpus>0</attached_gpus></nvidia_smi_log>').gpus).toEqual([]);
  });
});
