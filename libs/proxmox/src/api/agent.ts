/**
 * The QEMU guest agent: `POST …/agent/exec` starts a command in the guest, `GET …/agent/exec-status`
 * answers `exited: 0` until it ends, then its exit code and output (qemu-server API2/Qemu/Agent.pm).
 */
import type { PveApi } from '../client/types';

export interface GuestExecStatus {
  exited: number | boolean;
  exitcode?: number;
  'out-data'?: string;
  'err-data'?: string;
}

export interface GuestExecResult {
  exitcode: number;
  out?: string;
  err?: string;
}

const agent = (api: PveApi, vmid: number) => `/nodes/${encodeURIComponent(api.node)}/qemu/${vmid}/agent`;

export async function guestExec(api: PveApi, vmid: number, command: string[], options: { timeoutMs?: number; pollMs?: number } = {}): Promise<GuestExecResult> {
  const { pid } = await api.post<{ pid: number }>(`${agent(api, vmid)}/exec`, { command });
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (;;) {
    const status = await api.get<GuestExecStatus>(`${agent(api, vmid)}/exec-status`, { pid });
    if (status.exited === 1 || status.exited === true) return { exitcode: status.exitcode ?? -1, out: status['out-data'], err: status['err-data'] };
    if (Date.now() > deadline) throw new Error(`${command[0]} in VM ${vmid} did not finish within ${Math.round((options.timeoutMs ?? 60_000) / 1000)} s (agent/exec pid ${pid})`);
    await new Promise((r) => setTimeout(r, options.pollMs ?? 250));
  }
}

/** Waits until the agent answers `ping` (a VM just started needs its guest to boot). */
export async function waitForAgent(api: PveApi, vmid: number, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await api.post(`${agent(api, vmid)}/ping`);
      return;
    } catch (e) {
      if (Date.now() > deadline) throw new Error(`the guest agent of VM ${vmid} did not answer within ${Math.round(timeoutMs / 1000)} s: ${(e as Error).message}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}
