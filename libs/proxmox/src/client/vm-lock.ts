/**
 * In-process serialisation of writes to one guest. PVE takes a per-VM config lock for every
 * change; two of our own writes racing for it only earn lock timeouts (and `digest` conflicts),
 * so writes to one VMID queue here instead.
 */

/** FIFO mutex per key; a key's queue is dropped once empty. */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => mine);
    this.tails.set(key, tail);
    await previous;
    try {
      return await work();
    } finally {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }

  /** Keys with work queued or running (for tests and diagnostics). */
  get activeKeys(): string[] {
    return [...this.tails.keys()];
  }
}

const GUEST_PATH_RE = /^\/nodes\/[^/]+\/(?:qemu|lxc)\/(\d+)(?:\/|$)/;
const GUEST_CREATE_RE = /^\/nodes\/[^/]+\/(?:qemu|lxc)\/?$/;

/**
 * The VMID a request changes, when it is a write to one guest: any POST/PUT/DELETE under
 * /nodes/{node}/qemu|lxc/{vmid}/, and a create (POST /nodes/{node}/qemu|lxc with `vmid`).
 */
export function guestLockKey(
  method: string,
  path: string,
  params: Record<string, string>,
): string | undefined {
  if (method === 'GET') return undefined;
  const bare = path.split('?')[0];
  const m = GUEST_PATH_RE.exec(bare);
  if (m) return `vm:${m[1]}`;
  if (method === 'POST' && GUEST_CREATE_RE.test(bare) && params['vmid']) return `vm:${params['vmid']}`;
  return undefined;
}
