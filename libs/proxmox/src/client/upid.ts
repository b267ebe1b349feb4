/** Parsing PVE task ids (UPIDs), `UPID:node:pid:pstart:starttime:type:id:user:`. */

export interface Upid {
  node: string;
  /** Worker process id. */
  pid: number;
  /** Process start time in clock ticks (makes pid unique across reboots). */
  pstart: number;
  /** Task start, seconds since the epoch. */
  starttime: number;
  /** Task type, e.g. `qmstart`, `qmcreate`, `srvreload`. */
  type: string;
  /** Object id the task works on (a VMID, a storage…); may be empty. */
  id: string;
  /** `user@realm` or `user@realm!tokenid` that started it. */
  user: string;
}

// The same pattern PVE::Tools::upid_decode uses; pstart may have 9 hex digits on long-running hosts.
const UPID_RE =
  /^UPID:([a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?):([0-9A-Fa-f]{8}):([0-9A-Fa-f]{8,9}):([0-9A-Fa-f]{8}):([^:\s]+):([^:\s]*):([^:\s]+):$/;

export function parseUpid(upid: string): Upid {
  const m = UPID_RE.exec(upid);
  if (!m) {
    throw new Error(
      `not a PVE task id: ${JSON.stringify(upid)}; expected UPID:node:pid:pstart:starttime:type:id:user: ` +
        `(the string a task-starting call such as POST /nodes/{node}/qemu/{vmid}/status/start returns)`,
    );
  }
  return {
    node: m[1],
    pid: parseInt(m[2], 16),
    pstart: parseInt(m[3], 16),
    starttime: parseInt(m[4], 16),
    type: m[5],
    id: m[6],
    user: m[7],
  };
}

/** Whether a call's result is a task id (PVE returns UPIDs for every asynchronous operation). */
export function isUpid(value: unknown): value is string {
  return typeof value === 'string' && UPID_RE.test(value);
}
