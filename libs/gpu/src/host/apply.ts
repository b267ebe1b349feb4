/**
 * Carries out a GpuHostPlan: refuses as a whole when a pre-flight failed, writes only the files
 * that differ (atomically, each keeping a backup), runs the commands that make them take effect,
 * and reboots only when asked to, then waits for the host to come back.
 */
import type { HostChannel } from '@genesis/host-channel';
import type { GpuHostPlan } from './plan';

export class GpuHostRefusedError extends Error {
  constructor(readonly refusals: string[]) {
    super(`the GPU host step refuses to start; nothing was changed:\n${refusals.map((r) => `  ${r}`).join('\n')}`);
    this.name = 'GpuHostRefusedError';
  }
}

export interface GpuHostApplyOptions {
  progress?: (line: string) => void;
  /** Reboot when the plan says one is due (default: only say so). */
  reboot?: boolean;
  /** How long the host may take to come back (default 10 min). */
  rebootTimeoutMs?: number;
  pollIntervalMs?: number;
}

export interface GpuHostApplyResult {
  written: string[];
  ran: string[][];
  rebootNeeded: boolean;
  rebooted: boolean;
}

const BOOT_ID = '/proc/sys/kernel/random/boot_id';

export async function applyGpuHost(host: HostChannel, plan: GpuHostPlan, options: GpuHostApplyOptions = {}): Promise<GpuHostApplyResult> {
  const progress = options.progress ?? ((l: string) => console.log(l));
  if (plan.refusals.length) throw new GpuHostRefusedError(plan.refusals);
  const written: string[] = [];
  for (const f of plan.files) {
    const result = await host.writeFile(f.path, f.after);
    written.push(f.path);
    progress(`  wrote ${f.path}${result.backup ? ` (previous version kept in ${result.backup})` : ''}`);
  }
  const ran: string[][] = [];
  for (const argv of plan.commands) {
    progress(`  running ${argv.join(' ')} on ${host.description}`);
    const out = await host.run(argv, { timeoutMs: 15 * 60_000 });
    for (const line of `${out.stdout}${out.stderr}`.split('\n').filter(Boolean).slice(-4)) progress(`    ${line}`);
    ran.push(argv);
  }
  if (!plan.rebootNeeded) return { written, ran, rebootNeeded: false, rebooted: false };
  if (!options.reboot) {
    progress(`  REBOOT NEEDED: the kernel options and vfio-pci binding take effect at the next boot of ${host.description}; reboot it (or run again with --reboot), then run again to verify`);
    return { written, ran, rebootNeeded: true, rebooted: false };
  }
  await rebootAndWait(host, progress, options.rebootTimeoutMs ?? 10 * 60_000, options.pollIntervalMs ?? 2_000);
  return { written, ran, rebootNeeded: false, rebooted: true };
}

/** Reboots and waits until the host answers with a new boot id. */
export async function rebootAndWait(host: HostChannel, progress: (l: string) => void, timeoutMs: number, pollMs: number): Promise<void> {
  const before = (await host.readFile(BOOT_ID))?.trim();
  progress(`  rebooting ${host.description} (boot id ${before ?? 'unknown'})`);
  // The connection may drop before systemctl answers; that is the reboot starting.
  await host.run(['systemctl', 'reboot'], { timeoutMs: 30_000 }).catch(() => undefined);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const now = await host.readFile(BOOT_ID).catch(() => undefined);
    if (now && now.trim() !== before) {
      progress(`  ${host.description} is back (boot id ${now.trim()})`);
      return;
    }
    if (Date.now() > deadline) throw new Error(`${host.description} did not come back within ${Math.round(timeoutMs / 1000)} s after the reboot; check its console, then run again`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
