/** qemu-server's machine handling that the API shows: the Windows pin (`PVE/QemuServer/Machine.pm`). */
import type { SimHost } from './host';
import { getProp, parsePropertyString } from './property-string';
import { isWindowsOstype, latestMachineVersion } from './release';

/**
 * qemu-server `PVE/QemuServer/Machine.pm` `check_and_pin_machine_string`, called by
 * `PVE/API2/Qemu.pm` `create_vm` ("always pin Windows' machine version on create"): a Windows
 * ostype with no machine or an unversioned `pc`/`q35` gets the installed QEMU's version
 * (`pc-q35-10.1` on 9.1, `pc-q35-9.2+pve1` on 8.4), and the task log says so.
 */
export function pinWindowsMachine(host: SimHost, machine: string | undefined, ostype: string | undefined, log: (line: string) => void): string | undefined {
  if (!isWindowsOstype(ostype)) return machine;
  const ps = parsePropertyString(machine ?? '');
  const type = ps.head || getProp(ps, 'type');
  if (type && !/^(pc|q35|virt)$/.test(type)) return machine;
  const family = type ?? 'pc';
  const version = latestMachineVersion(host.behaviour.release);
  const pinned = family === 'pc' ? `pc-i440fx-${version}` : family === 'q35' ? `pc-q35-${version}` : `virt-${version}`;
  log(`pinning machine type to '${pinned}' for Windows guest OS`);
  const rest = (machine ?? '').split(',').slice(1).filter((p) => !p.startsWith('type='));
  return [pinned, ...rest].join(',');
}

