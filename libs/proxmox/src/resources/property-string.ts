/**
 * PVE property strings (`virtio=BC:24:11:00:00:01,bridge=vmbr1,firewall=1`,
 * `tank:vm-100-disk-0,iothread=1,size=32G`) and how Genesis compares a declared value with the
 * host's: only the keys Genesis declares count, disks match by storage, NICs by model.
 */

export interface PropertyString {
  /** The positional value (`file=` for disks, `model` for NICs, `type` for machine/vga). */
  head?: string;
  keys: Record<string, string>;
}

export function parsePropertyString(text: string): PropertyString {
  const out: PropertyString = { keys: {} };
  text.split(',').forEach((part, i) => {
    const eq = part.indexOf('=');
    if (eq === -1) {
      if (i === 0) out.head = part;
      else out.keys[part] = '';
    } else out.keys[part.slice(0, eq)] = part.slice(eq + 1);
  });
  return out;
}

const DISK_KEY = /^(scsi|virtio|sata|ide)\d+$|^(efidisk0|tpmstate0)$/;
const NIC_MODELS = ['virtio', 'e1000', 'e1000e', 'vmxnet3', 'rtl8139'];
/** Keys PVE adds or rewrites on its own; a declared value never needs them to match. */
const VOLATILE = new Set(['size', 'import-from', 'macaddr']);

function diskStorage(file: string | undefined): string | undefined {
  return file?.split(':')[0];
}

/**
 * qemu-server pins the machine of a new Windows VM (`PVE/QemuServer/Machine.pm`
 * `check_and_pin_machine_string`): a declared `q35` is stored as `pc-q35-10.1` (PVE 9.1) or
 * `pc-q35-9.2+pve1` (8.4), `pc` as `pc-i440fx-…`. A pinned version of the declared family is the
 * declared value, so PVE's pin is never fought over.
 */
export function machineMatches(desired: string, current: string): boolean {
  const family = (type: string | undefined) => (type === 'q35' ? 'pc-q35' : type === 'pc' ? 'pc-i440fx' : undefined);
  const d = parsePropertyString(desired);
  const c = parsePropertyString(current);
  const want = family(d.head ?? d.keys.type);
  const have = c.head ?? c.keys.type ?? '';
  if (!want || !new RegExp(`^${want}-\\d+\\.\\d+(\\+pve\\d+)?$`).test(have)) return false;
  return Object.entries(d.keys).every(([k, v]) => k === 'type' || c.keys[k] === v);
}

/** Does the host's value satisfy the declared one? */
export function configValueMatches(key: string, desired: string | number, current: string | number | undefined): boolean {
  if (current === undefined) return false;
  const d = String(desired);
  const c = String(current);
  if (d === c) return true;
  if (key === 'machine') return machineMatches(d, c);
  if (!d.includes(',') && !d.includes('=') && !DISK_KEY.test(key)) return false;

  const dp = parsePropertyString(d);
  const cp = parsePropertyString(c);
  if (DISK_KEY.test(key)) {
    const dFile = dp.head ?? dp.keys.file;
    const cFile = cp.head ?? cp.keys.file;
    if (diskStorage(dFile) !== diskStorage(cFile)) return false;
    // `tank:cloudinit` becomes `tank:vm-9000-cloudinit`.
    if (dFile?.endsWith(':cloudinit') && !cFile?.includes('cloudinit')) return false;
  } else if (key.startsWith('net')) {
    const model = (p: PropertyString) => p.keys.model ?? NIC_MODELS.find((m) => m in p.keys) ?? p.head;
    if (model(dp) !== model(cp)) return false;
  } else if ((dp.head ?? '') !== (cp.head ?? '')) return false;

  return Object.entries(dp.keys).every(([k, v]) => {
    if (VOLATILE.has(k) || k === 'file' || k === 'model' || NIC_MODELS.includes(k)) return true;
    return cp.keys[k] === v;
  });
}
