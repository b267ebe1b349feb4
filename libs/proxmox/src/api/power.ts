/** Guest power calls besides start/stop (api/qemu.ts): a clean ACPI/agent shutdown. */
import type { PveApi } from '../client/types';

/** `POST …/status/shutdown`: the guest shuts itself down; PVE gives up after `timeout` seconds. */
export const shutdownVm = (api: PveApi, vmid: number, timeoutSeconds = 180) =>
  api.post<string>(`/nodes/${encodeURIComponent(api.node)}/qemu/${vmid}/status/shutdown`, { timeout: timeoutSeconds });
