/**
 * The PVE config Genesis declares for templates and VMs, and how it is compared with the host's.
 * Only declared keys are compared; PVE's own additions (MAC addresses, disk sizes, digests) are not.
 */
import type { VmConfig } from '../api/qemu';
import type { DesiredState } from '../state/load';
import type { TemplateSpec, VmSpec } from '../state/schema';
import { parseCidr } from '../state/ipv4';
import { configValueMatches } from './property-string';
import type { FieldChange } from './types';

export type DesiredConfig = Record<string, string | number>;

export const importVolume = (t: TemplateSpec) => (t.disk.image ? `${t.disk.image.storage}:import/${t.disk.image.filename}` : undefined);

export function templateConfig(t: TemplateSpec): DesiredConfig {
  const c: DesiredConfig = {
    name: t.name,
    ostype: t.ostype,
    machine: t.machine,
    bios: t.bios,
    cpu: 'host',
    cores: t.cores,
    memory: t.memory,
    scsihw: 'virtio-scsi-single',
    scsi0: t.disk.image
      ? `${t.disk.storage}:0,import-from=${importVolume(t)},discard=on,iothread=1,ssd=1`
      : `${t.disk.storage}:${t.disk.size},discard=on,iothread=1,ssd=1`,
    ide2: `${t.cloudinit.storage}:cloudinit`,
    citype: t.cloudinit.type,
    net0: `virtio,bridge=${t.bridge},firewall=1`,
    ipconfig0: 'ip=dhcp',
    boot: 'order=scsi0',
    agent: 'enabled=1',
  };
  if (t.cloudinit.snippet) c.cicustom = `user=${t.cloudinit.snippet}`;
  // Cloud images log to the serial console; without one their boot output is lost.
  if (t.ostype === 'l26') Object.assign(c, { serial0: 'socket', vga: 'serial0' });
  if (t.efi) c.efidisk0 = `${t.efi.storage}:1,efitype=4m,pre-enrolled-keys=1`;
  if (t.tpm) c.tpmstate0 = `${t.tpm.storage}:1,version=v2.0`;
  return c;
}

export function vmConfig(v: VmSpec, state: DesiredState): DesiredConfig {
  const bridge = state.bridges.find((b) => b.name === v.bridge);
  const gateway = bridge?.cidr ? parseCidr(bridge.cidr)?.address : undefined;
  const c: DesiredConfig = {
    name: v.name,
    net0: `virtio,bridge=${v.bridge},firewall=${v.firewall ? 1 : 0}`,
    ipconfig0: v.address ? `ip=${v.address}${gateway ? `,gw=${gateway}` : ''}` : 'ip=dhcp',
    onboot: v.onboot ? 1 : 0,
  };
  if (v.cores) c.cores = v.cores;
  if (v.memory) c.memory = v.memory;
  if (v.gpu) c.hostpci0 = `mapping=${v.gpu},pcie=1`;
  if (state.ssh_keys.length) c.sshkeys = encodeSshKeys(state.ssh_keys);
  return c;
}

/**
 * cloud-init `sshkeys` the way qemu-server takes them: one key per line, the whole URL-encoded
 * (format `urlencoded`: only `-%a-zA-Z0-9_.!~*'()` may appear, so spaces are %20, never `+`);
 * `update_vm_api` runs `uri_unescape` before `validate_ssh_public_keys` (ssh-keygen -l per line)
 * and keeps the encoded text in the config. encodeURIComponent leaves exactly that set unescaped.
 */
export const encodeSshKeys = (keys: string[]) => encodeURIComponent(keys.join('\n'));

/** Keys Genesis owns on a VM even when they are absent from the declaration (so they get removed). */
export const OWNED_VM_KEYS = ['hostpci0'];

export interface ConfigDelta {
  fields: FieldChange[];
  set: DesiredConfig;
  remove: string[];
}

export function diffConfig(desired: DesiredConfig, current: VmConfig, owned: string[] = []): ConfigDelta {
  const delta: ConfigDelta = { fields: [], set: {}, remove: [] };
  for (const [key, value] of Object.entries(desired)) {
    if (!configValueMatches(key, value, current[key])) {
      delta.fields.push({ field: key, from: current[key], to: value });
      delta.set[key] = value;
    }
  }
  for (const key of owned) {
    if (!(key in desired) && current[key] !== undefined) {
      delta.fields.push({ field: key, from: current[key], to: undefined });
      delta.remove.push(key);
    }
  }
  return delta;
}

/** A cloud-init drive is any disk slot whose volume is a `…cloudinit` volume. */
export function cloudInitDrive(config: VmConfig): string | undefined {
  return Object.keys(config).find((k) => /^(ide|scsi|sata)\d+$/.test(k) && String(config[k]).includes('cloudinit'));
}
