/**
 * The installer's checks after parsing, in its order (pve-installer `proxmox-auto-installer/src/
 * utils.rs` `parse_answer`, with proxmox-installer-types 0.1.1 `DiskSetup::filesystem_details`):
 * filesystem options and RAID disk count, network/FQDN, locale, disk selection, e-mail and root
 * password, first-boot, interface-name pinning, then the disks themselves. Each message is the
 * installer's own wording. Rules that need the target machine (DHCP lease, udev, locale lists) run
 * only when an environment is given.
 */
import type { InstallEnvironment } from './environment';
import type { AnswerFile, Pinning } from './types';

export class AnswerVerifyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AnswerVerifyError';
  }
}

const fail = (message: string): never => {
  throw new AnswerVerifyError(message);
};

const ZFS_MIN_DISKS: Record<string, number> = { RAID0: 1, RAID1: 2, RAID10: 4, 'RAIDZ-1': 3, 'RAIDZ-2': 4, 'RAIDZ-3': 5 };
const BTRFS_MIN_DISKS: Record<string, number> = { RAID0: 1, RAID1: 2, RAID10: 4 };
const ROOT_PASSWORD_MIN_LENGTH = 8;
const MIN_IFNAME_LEN = 2;
const MAX_IFNAME_LEN = 15;
const EMAIL = /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;
const EMAIL_DEFAULT_PLACEHOLDER = 'mail@example.invalid';
const IFNAME = /^[a-z][a-z0-9_]{1,20}([:.]\d+)?$/i;

/** Rust's f64 Display: integers without ".0". */
const num = (n: number) => String(n);

function filesystemDetails(answer: AnswerFile): void {
  const d = answer.disks;
  if (d.filesystem === 'ext4' || d.filesystem === 'xfs') {
    if (d.zfs || d.btrfs) fail("make sure only 'lvm' options are set");
    if (d.diskList.length > 1) fail('make sure to define only one disk for ext4 and xfs');
    return;
  }
  if (d.filesystem === 'zfs') {
    if (d.lvm || d.btrfs) fail("make sure only 'zfs' options are set");
    const raid = d.zfs?.raid ?? fail("ZFS raid level 'zfs.raid' must be set");
    minDisks('ZFS', raid, ZFS_MIN_DISKS[raid], d.diskList.length);
    return;
  }
  if (d.zfs || d.lvm) fail("make sure only 'btrfs' options are set");
  const raid = d.btrfs?.raid ?? fail("Btrfs raid level 'btrfs.raid' must be set");
  minDisks('Btrfs', raid, BTRFS_MIN_DISKS[raid], d.diskList.length);
}

function minDisks(fs: string, raid: string, min: number, count: number): void {
  if (count > 0 && count < min) fail(`${fs} ${raid} needs at least ${min} disks, got ${count}`);
}

/** glob::Pattern, as the installer matches udev properties: `*`, `?`, `[...]`, `[!...]`. */
export function globToRegExp(pattern: string): RegExp {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') out += '.*';
    else if (c === '?') out += '.';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) fail('invalid glob in disk selection');
      let body = pattern.slice(i + 1, end);
      const negate = body.startsWith('!');
      if (negate) body = body.slice(1);
      out += `[${negate ? '^' : ''}${body.replace(/[\\\]^]/g, '\\$&')}]`;
      i = end;
    } else out += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${out}$`, 's');
}

function singleUdevIndex(filter: Record<string, string>, devices: Record<string, Record<string, string>>, none: string): string {
  if (Object.keys(filter).length === 0) fail('no filter defined');
  const patterns = Object.entries(filter).map(([k, v]) => [k, globToRegExp(v)] as const);
  for (const dev of Object.keys(devices).sort()) {
    for (const [key, re] of patterns) if (devices[dev][key] !== undefined && re.test(devices[dev][key])) return dev;
  }
  return fail(none);
}

function matchedUdevIndexes(filter: Record<string, string>, devices: Record<string, Record<string, string>>, all: boolean): string[] {
  const patterns = Object.entries(filter).map(([k, v]) => [k, globToRegExp(v)] as const);
  const matches = Object.keys(devices).filter((dev) => {
    let once = false;
    let every = true;
    for (const [key, re] of patterns) {
      const value = devices[dev][key];
      if (value === undefined) continue;
      if (re.test(value)) once = true;
      else every = false;
    }
    return all ? every : once;
  });
  if (matches.length === 0) fail('filter did not match any devices');
  return matches.sort();
}

function verifyPinning(p: Pinning | undefined): void {
  if (!p?.enabled) return;
  const reverse = new Map<string, string>();
  for (const [rawMac, name] of Object.entries(p.mapping)) {
    const mac = rawMac.toLowerCase();
    if (name.length < MIN_IFNAME_LEN) fail(`interface name for '${mac}' must be at least ${MIN_IFNAME_LEN} characters long`);
    if (name.length > MAX_IFNAME_LEN) fail(`interface name '${name}' for '${mac}' cannot be longer than ${MAX_IFNAME_LEN} characters`);
    if (!IFNAME.test(name))
      fail(`interface name '${name}' for '${mac}' is invalid: name must start with a letter and contain only ascii characters, digits and underscores`);
    const dup = reverse.get(name);
    if (dup !== undefined && dup !== mac) fail(`duplicate interface name mapping '${name}' for: ${mac}, ${dup}`);
    reverse.set(name, mac);
  }
}

function networkSettings(answer: AnswerFile, env?: InstallEnvironment): void {
  const fqdn = answer.global.fqdn;
  if (fqdn.kind === 'from-dhcp' && env) {
    if (!env.dhcpHostname) fail('`global.fqdn.source` set to "from-dhcp", but DHCP server did not provide a hostname!');
    if (!env.dhcpDomain && !fqdn.domain) fail('no domain received from DHCP server and `global.fqdn.domain` is unset!');
  }
  if (answer.network.source === 'from-answer') {
    const { filter } = answer.network;
    if (env) singleUdevIndex(filter, env.udevNics, 'filter did not match any device');
    else if (Object.keys(filter).length === 0) fail('no filter defined');
    else Object.values(filter).forEach(globToRegExp);
  }
  verifyPinning(answer.network.pinning);
}

function localeSettings(answer: AnswerFile, env: InstallEnvironment): void {
  const g = answer.global;
  if (!env.countries.has(g.country)) fail(`country code '${g.country}' is not valid`);
  if (!env.keymaps.has(g.keyboard)) fail(`keyboard layout '${g.keyboard}' is not valid`);
  if (!env.zones.has(g.timezone) && g.timezone !== 'UTC') fail(`timezone '${g.timezone}' is not valid`);
}

function diskSelection(answer: AnswerFile): { list: string[] } | { filter: Record<string, string> } {
  const d = answer.disks;
  const hasFilter = Object.keys(d.filter).length > 0;
  if (d.diskList.length === 0 && !hasFilter) fail("Need either 'disk-list' or 'filter' set");
  if (d.diskList.length > 0 && hasFilter) fail("Cannot use both, 'disk-list' and 'filter'");
  return d.diskList.length > 0 ? { list: d.diskList } : { filter: d.filter };
}

function disksSettings(answer: AnswerFile): void {
  const selection = diskSelection(answer);
  if ('list' in selection) {
    const seen = new Set<string>();
    for (const disk of selection.list) {
      if (seen.has(disk)) fail(`List of disks contains duplicate device ${disk}`);
      seen.add(disk);
    }
  }
  const lvm = answer.disks.lvm;
  if ((answer.disks.filesystem === 'ext4' || answer.disks.filesystem === 'xfs') && lvm?.swapsize !== undefined && lvm.hdsize !== undefined) {
    const threshold = lvm.hdsize / 2;
    if (lvm.swapsize > threshold) fail(`Swap size ${num(lvm.swapsize)} GiB cannot be greater than ${num(threshold)} GiB (hard disk size / 2)`);
  }
}

function emailAndRootPassword(answer: AnswerFile): void {
  const g = answer.global;
  if (!EMAIL.test(g.mailto)) fail(`Email does not look like a valid address (user@domain.tld): global.mailto = "${g.mailto}"`);
  if (g.mailto === EMAIL_DEFAULT_PLACEHOLDER) fail(`Invalid (default) email address: global.mailto = "${g.mailto}"`);
  if (g.rootPassword !== undefined && g.rootPasswordHashed !== undefined)
    fail('`global.root-password` and `global.root-password-hashed` cannot be set at the same time');
  if (g.rootPassword === undefined && g.rootPasswordHashed === undefined) fail('One of `global.root-password` or `global.root-password-hashed` must be set');
  if (g.rootPassword !== undefined && Buffer.byteLength(g.rootPassword) < ROOT_PASSWORD_MIN_LENGTH)
    fail(`\`global.root-password\` must be at least ${ROOT_PASSWORD_MIN_LENGTH} characters long`);
}

function firstBootSettings(answer: AnswerFile): void {
  if (answer.firstBoot?.source === 'from-url' && answer.firstBoot.url === undefined) fail('first-boot executable source set to URL, but none specified!');
}

function setDisks(answer: AnswerFile, env: InstallEnvironment): string[] {
  const selection = diskSelection(answer);
  const fs = answer.disks.filesystem;
  if (fs === 'ext4' || fs === 'xfs') {
    if ('list' in selection) {
      const disk = env.disks.find((d) => d.path.endsWith(selection.list[0])) ?? fail("disk in 'disk-selection' not found");
      return [disk.path];
    }
    const index = singleUdevIndex(selection.filter, env.udevDisks, 'filter did not match any device');
    return env.disks.filter((d) => d.index === index).map((d) => d.path);
  }
  const indexes =
    'list' in selection
      ? selection.list.flatMap((name) => env.disks.filter((d) => d.path.endsWith(name)).slice(0, 1).map((d) => d.index))
      : matchedUdevIndexes(selection.filter, env.udevDisks, answer.disks.filterMatch === 'all');
  const chosen = [...new Set(indexes)];
  if (chosen.length === 0) fail('No disks found matching selection.');
  return chosen.sort().map((i) => env.disks.find((d) => d.index === i)?.path ?? i);
}

export interface VerifiedAnswer {
  /** The root disks the installer would use (only known with an environment). */
  disks?: string[];
  /** Checks skipped for want of an environment. */
  skipped: string[];
}

/** Throws AnswerVerifyError with the installer's message at the first rule the answer breaks. */
export function verifyAnswer(answer: AnswerFile, env?: InstallEnvironment): VerifiedAnswer {
  filesystemDetails(answer);
  if (env && answer.disks.filesystem === 'btrfs' && !env.enableBtrfs)
    fail('BTRFS is not supported as a root filesystem for the product or the release of this ISO.');
  networkSettings(answer, env);
  if (env) localeSettings(answer, env);
  disksSettings(answer);
  emailAndRootPassword(answer);
  firstBootSettings(answer);
  if (!env) {
    return { skipped: ['DHCP hostname/domain', 'NIC and disk matching', 'country, keyboard and timezone lists'] };
  }
  return { disks: setDisks(answer, env), skipped: [] };
}
