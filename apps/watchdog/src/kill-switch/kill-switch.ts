/**
 * The kill switch: one press halts trading at Banker, then stops, shuts down or suspends the
 * trading VMs through the Proxmox API in the configured order. Every step has its own deadline and
 * is logged; a failed step (Banker unreachable, a VM that does not stop in time) never stops the
 * steps after it. A press while a sequence runs is logged and ignored.
 */
import { getVmStatus, type PveApi } from '@genesis/proxmox';
import type { Logger } from 'pino';
import type { VmStep } from '../lib/config';
import type { StepResult, WatchdogMetrics } from '../lib/metrics';
import type { BankerClient } from './banker-client';

export interface StepReport {
  step: string;
  result: StepResult;
  ms: number;
  detail: string;
}

class StepTimeout extends Error {}

async function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StepTimeout(`did not finish within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

export class KillSwitch {
  private running?: Promise<StepReport[]>;

  constructor(
    private readonly deps: {
      banker: BankerClient;
      pve: PveApi;
      vms: VmStep[];
      log: Logger;
      metrics: WatchdogMetrics;
      /** Called as the first API call starts (for the press → first call latency). */
      onFirstCall?: () => void;
    },
  ) {}

  get busy(): boolean {
    return this.running !== undefined;
  }

  /** Runs the sequence, or returns the one already running. */
  trigger(reason: string): Promise<StepReport[]> {
    if (this.running) {
      this.deps.log.warn('kill switch pressed again while its sequence runs; ignored');
      return this.running;
    }
    this.running = this.sequence(reason).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async sequence(reason: string): Promise<StepReport[]> {
    const { log } = this.deps;
    log.warn({ vms: this.deps.vms.map((v) => `${v.vmid}:${v.action}`) }, 'kill switch: halting trading, then the trading VMs');
    this.deps.onFirstCall?.();
    const reports = [await this.step('banker-halt', async () => {
      const r = await this.deps.banker.halt(reason);
      return r.changed ? 'trading halted' : `trading was already ${r.trading}`;
    })];
    for (const vm of this.deps.vms) {
      reports.push(await this.step(`vm-${vm.vmid}-${vm.action}`, () => this.vmStep(vm), vm.timeoutMs));
    }
    const failed = reports.filter((r) => r.result === 'failed').length;
    log[failed ? 'error' : 'warn']({ steps: reports.length, failed }, `kill switch: sequence finished${failed ? ` with ${failed} failed step(s)` : ''}`);
    return reports;
  }

  private async step(step: string, work: () => Promise<string>, timeoutMs?: number): Promise<StepReport> {
    const started = performance.now();
    let report: StepReport;
    try {
      const detail = await (timeoutMs ? within(timeoutMs, work()) : work());
      report = { step, result: detail.startsWith('skipped') ? 'skipped' : 'ok', ms: Math.round(performance.now() - started), detail };
      this.deps.log.warn(report, `kill switch step ${step}: ${detail}`);
    } catch (err) {
      report = { step, result: 'failed', ms: Math.round(performance.now() - started), detail: (err as Error).message };
      this.deps.log.error(report, `kill switch step ${step} failed: ${report.detail}`);
    }
    this.deps.metrics.killSteps.inc({ step, result: report.result });
    return report;
  }

  private async vmStep(vm: VmStep): Promise<string> {
    const { pve } = this.deps;
    const path = `/nodes/${encodeURIComponent(pve.node)}/qemu/${vm.vmid}/status`;
    const status = await getVmStatus(pve, vm.vmid);
    if (status.status !== 'running') return `skipped: VM ${vm.vmid} is ${status.status}`;
    if (vm.action === 'suspend' && status.qmpstatus === 'paused') return `skipped: VM ${vm.vmid} is already paused`;
    const seconds = Math.max(1, Math.floor(vm.timeoutMs / 1000) - 1);
    // PVE's own timeouts sit one second inside ours, so PVE gives up (and says why) first.
    const params =
      vm.action === 'shutdown' ? { timeout: seconds, forceStop: 1 } : vm.action === 'stop' ? { timeout: seconds } : {};
    const upid = await pve.post<string>(`${path}/${vm.action}`, params);
    const task = await pve.waitForTask(upid, { timeoutMs: vm.timeoutMs, pollIntervalMs: 100 });
    return `VM ${vm.vmid} ${vm.action === 'suspend' ? 'suspended' : vm.action === 'stop' ? 'stopped' : 'shut down'} (${task.exitstatus ?? 'OK'})`;
  }
}
