/**
 * What one heartbeat round asks: the Proxmox API (`GET /version` through the project's client) and
 * each configured service's health URL. A probe resolves true or false, never throws, and never
 * takes longer than its timeout.
 */
import { getVersion, type PveApi } from '@genesis/proxmox';

export interface Probe {
  target: string;
  check(): Promise<{ up: boolean; detail?: string }>;
}

export function proxmoxProbe(api: PveApi): Probe {
  return {
    target: 'proxmox',
    async check() {
      try {
        await getVersion(api);
        return { up: true };
      } catch (err) {
        return { up: false, detail: (err as Error).message };
      }
    },
  };
}

export function httpProbe(name: string, url: string, timeoutMs: number): Probe {
  return {
    target: name,
    async check() {
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
        await res.arrayBuffer();
        return res.ok ? { up: true } : { up: false, detail: `HTTP ${res.status}` };
      } catch (err) {
        const e = err as Error & { cause?: { code?: string } };
        return { up: false, detail: e.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (e.cause?.code ?? e.message) };
      }
    },
  };
}
