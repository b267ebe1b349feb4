/**
 * Turns a parsed answer.toml into the installer's typed answer, applying the same serde rules as
 * the Proxmox VE automated installer (proxmox-installer-types 0.1.1, `answer.rs`, "legacy" feature
 * on as pve-installer builds it): kebab-case keys with the snake_case aliases it still accepts,
 * `deny_unknown_fields`, enums by exact name, the untagged `fqdn` (string or table), the
 * `source`-tagged `network`. Messages mirror serde's, which is what the installer prints after
 * "error parsing answer.toml: ".
 */
import type {
  AnswerFile,
  BtrfsOptions,
  DiskSetup,
  FirstBoot,
  FqdnConfig,
  GlobalOptions,
  LvmOptions,
  NetworkConfig,
  Pinning,
  PostInstallationWebhook,
  ZfsOptions,
} from './types';

export class AnswerParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AnswerParseError';
  }
}

type Table = Record<string, unknown>;

interface Field {
  name: string;
  aliases?: string[];
}

const KEYBOARDS = [
  'de', 'de-ch', 'dk', 'en-gb', 'en-us', 'es', 'fi', 'fr', 'fr-be', 'fr-ca', 'fr-ch', 'hu', 'is', 'it', 'jp', 'lt', 'mk', 'nl',
  'no', 'pl', 'pt', 'pt-br', 'se', 'si', 'tr',
] as const;
const ZFS_RAID: Record<string, string> = {
  RAID0: 'RAID0', raid0: 'RAID0', RAID1: 'RAID1', raid1: 'RAID1', RAID10: 'RAID10', raid10: 'RAID10',
  'RAIDZ-1': 'RAIDZ-1', 'raidz-1': 'RAIDZ-1', 'RAIDZ-2': 'RAIDZ-2', 'raidz-2': 'RAIDZ-2', 'RAIDZ-3': 'RAIDZ-3', 'raidz-3': 'RAIDZ-3',
};
const BTRFS_RAID: Record<string, string> = { RAID0: 'RAID0', raid0: 'RAID0', RAID1: 'RAID1', raid1: 'RAID1', RAID10: 'RAID10', raid10: 'RAID10' };
const ZFS_COMPRESS = ['on', 'off', 'lzjb', 'lz4', 'zle', 'gzip', 'zstd'];
const ZFS_CHECKSUM = ['on', 'fletcher4', 'sha256'];
const BTRFS_COMPRESS = ['on', 'off', 'zlib', 'lzo', 'zstd'];

const isTable = (v: unknown): v is Table => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);

/** serde's "expected one of `a`, `b`" list, or "expected `a` or `b`" for two. */
function oneOf(names: readonly string[]): string {
  if (names.length === 0) return 'there are no fields';
  if (names.length === 1) return `\`${names[0]}\``;
  if (names.length === 2) return `\`${names[0]}\` or \`${names[1]}\``;
  return `one of ${names.map((n) => `\`${n}\``).join(', ')}`;
}

/** Reads a struct with deny_unknown_fields: returns primary-name → value. */
function struct(value: unknown, fields: Field[], what: string): Map<string, unknown> {
  if (!isTable(value)) throw new AnswerParseError(`invalid type: ${typeName(value)}, expected struct ${what}`);
  const byName = new Map<string, string>();
  for (const f of fields) {
    byName.set(f.name, f.name);
    for (const a of f.aliases ?? []) byName.set(a, f.name);
  }
  const out = new Map<string, unknown>();
  for (const [key, v] of Object.entries(value)) {
    const primary = byName.get(key);
    if (!primary) throw new AnswerParseError(`unknown field \`${key}\`, expected ${oneOf(fields.map((f) => f.name))}`);
    if (out.has(primary)) throw new AnswerParseError(`duplicate field \`${primary}\``);
    out.set(primary, v);
  }
  return out;
}

function typeName(v: unknown): string {
  if (typeof v === 'string') return `string ${JSON.stringify(v)}`;
  if (typeof v === 'boolean') return `boolean \`${v}\``;
  if (typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v))) return `integer \`${v}\``;
  if (typeof v === 'number') return `floating point \`${v}\``;
  if (Array.isArray(v)) return 'sequence';
  if (v instanceof Date) return 'datetime';
  return 'map';
}

function required<T>(m: Map<string, unknown>, name: string, read: (v: unknown) => T): T {
  if (!m.has(name)) throw new AnswerParseError(`missing field \`${name}\``);
  return read(m.get(name));
}
function optional<T>(m: Map<string, unknown>, name: string, read: (v: unknown) => T): T | undefined {
  return m.has(name) ? read(m.get(name)) : undefined;
}

function str(v: unknown): string {
  if (typeof v !== 'string') throw new AnswerParseError(`invalid type: ${typeName(v)}, expected a string`);
  return v;
}
function bool(v: unknown): boolean {
  if (typeof v !== 'boolean') throw new AnswerParseError(`invalid type: ${typeName(v)}, expected a boolean`);
  return v;
}
function u32(v: unknown): number {
  const n = typeof v === 'bigint' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n)) throw new AnswerParseError(`invalid type: ${typeName(v)}, expected u32`);
  if (n < 0 || n > 0xffffffff) throw new AnswerParseError(`invalid value: integer \`${n}\`, expected u32`);
  return n;
}
function f64(v: unknown): number {
  // serde's f64 accepts TOML integers as well as floats.
  const n = typeof v === 'bigint' ? Number(v) : v;
  if (typeof n !== 'number') throw new AnswerParseError(`invalid type: ${typeName(v)}, expected f64`);
  return n;
}
function strings(v: unknown): string[] {
  if (!Array.isArray(v)) throw new AnswerParseError(`invalid type: ${typeName(v)}, expected a sequence`);
  return v.map(str);
}
function stringMap(v: unknown): Record<string, string> {
  if (!isTable(v)) throw new AnswerParseError(`invalid type: ${typeName(v)}, expected a map`);
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, str(x)]));
}
function variant<T extends string>(names: readonly T[], v: unknown): T {
  const s = str(v);
  if (!(names as readonly string[]).includes(s)) throw new AnswerParseError(`unknown variant \`${s}\`, expected ${oneOf(names)}`);
  return s as T;
}
function aliased(table: Record<string, string>, primaries: string[], v: unknown): string {
  const s = str(v);
  const hit = table[s];
  if (!hit) throw new AnswerParseError(`unknown variant \`${s}\`, expected ${oneOf(primaries)}`);
  return hit;
}

/** An IPv4 or IPv6 address as Rust's std::net::IpAddr parses it (no zone ids, no leading zeros in IPv4). */
export function isIpAddr(s: string): boolean {
  return isIpv4(s) || isIpv6(s);
}
function isIpv4(s: string): boolean {
  const parts = s.split('.');
  return parts.length === 4 && parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255);
}
function isIpv6(s: string): boolean {
  if (!/^[0-9a-fA-F:.]+$/.test(s) || s.split('::').length > 2) return false;
  let groups = s.split(':');
  const last = groups[groups.length - 1];
  let needed = 8;
  if (last.includes('.')) {
    if (!isIpv4(last)) return false;
    groups = groups.slice(0, -1);
    needed = 6;
  }
  if (s.includes('::')) {
    const [a, b] = s.split('::');
    const count = (x: string) => (x === '' ? 0 : x.split(':').length);
    const left = a.split(':').filter((g) => g !== '');
    const right = b.split(':').filter((g) => g !== '' && !g.includes('.'));
    if (count(a) !== left.length || [...left, ...right].some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return false;
    return left.length + right.length < needed;
  }
  return groups.length === needed && groups.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g));
}

/** proxmox_network_types::Cidr: address/prefix, prefix up to 32 (IPv4) or 128 (IPv6). */
function cidr(v: unknown): string {
  const s = str(v);
  const [addr, prefix, extra] = s.split('/');
  const ok =
    extra === undefined &&
    prefix !== undefined &&
    /^\d{1,3}$/.test(prefix) &&
    ((isIpv4(addr) && Number(prefix) <= 32) || (isIpv6(addr) && Number(prefix) <= 128));
  if (!ok) throw new AnswerParseError('invalid IP address');
  return s;
}
function ipAddr(v: unknown): string {
  const s = str(v);
  if (!isIpAddr(s)) throw new AnswerParseError('invalid IP address syntax');
  return s;
}

/** proxmox_network_types::Fqdn: at least hostname.domain, DNS labels, hostname not purely numeric. */
export function isFqdn(s: string): boolean {
  if (s.length > 253) return false;
  const labels = s.split('.');
  if (labels.length < 2) return false;
  if (!labels.every((l) => /^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$/.test(l))) return false;
  return !/^\d+$/.test(labels[0]);
}

const FQDN_EXPECTING = 'either a fully-qualified domain name or extendend configuration for usage with DHCP must be specified';

function fqdn(v: unknown): FqdnConfig {
  if (typeof v === 'string') {
    if (isFqdn(v)) return { kind: 'simple', fqdn: v };
    throw new AnswerParseError(FQDN_EXPECTING);
  }
  if (isTable(v)) {
    try {
      const m = struct(v, [{ name: 'source' }, { name: 'domain' }], 'FqdnFromDhcpConfig');
      optional(m, 'source', (x) => variant(['from-dhcp'], x));
      const domain = optional(m, 'domain', (x) => str(x));
      return { kind: 'from-dhcp', domain: domain ? domain : undefined };
    } catch {
      throw new AnswerParseError(FQDN_EXPECTING);
    }
  }
  throw new AnswerParseError(FQDN_EXPECTING);
}

function globalOptions(v: unknown): GlobalOptions {
  const m = struct(
    v,
    [
      { name: 'country' },
      { name: 'fqdn' },
      { name: 'keyboard' },
      { name: 'mailto' },
      { name: 'timezone' },
      { name: 'root-password', aliases: ['root_password'] },
      { name: 'root-password-hashed', aliases: ['root_password_hashed'] },
      { name: 'reboot-on-error', aliases: ['reboot_on_error'] },
      { name: 'reboot-mode', aliases: ['reboot_mode'] },
      { name: 'root-ssh-keys', aliases: ['root_ssh_keys'] },
      { name: 'subscription-key' },
    ],
    'GlobalOptions',
  );
  return {
    country: required(m, 'country', str),
    fqdn: required(m, 'fqdn', fqdn),
    keyboard: required(m, 'keyboard', (x) => variant(KEYBOARDS, x)),
    mailto: required(m, 'mailto', str),
    timezone: required(m, 'timezone', str),
    rootPassword: optional(m, 'root-password', str),
    rootPasswordHashed: optional(m, 'root-password-hashed', str),
    rebootOnError: optional(m, 'reboot-on-error', bool) ?? false,
    rebootMode: optional(m, 'reboot-mode', (x) => variant(['reboot', 'power-off'], x)) ?? 'reboot',
    rootSshKeys: optional(m, 'root-ssh-keys', strings) ?? [],
    subscriptionKey: optional(m, 'subscription-key', str),
  };
}

function pinning(v: unknown): Pinning {
  const m = struct(v, [{ name: 'enabled' }, { name: 'mapping' }], 'NetworkInterfacePinningOptionsAnswer');
  return { enabled: required(m, 'enabled', bool), mapping: optional(m, 'mapping', stringMap) ?? {} };
}

function network(v: unknown): NetworkConfig {
  if (!isTable(v)) throw new AnswerParseError(`invalid type: ${typeName(v)}, expected internally tagged enum NetworkConfig`);
  if (!('source' in v)) throw new AnswerParseError('missing field `source`');
  const source = variant(['from-dhcp', 'from-answer'], v.source);
  const { source: _tag, ...rest } = v;
  if (source === 'from-dhcp') {
    const m = struct(rest, [{ name: 'interface-name-pinning' }], 'NetworkConfigFromDhcp');
    return { source, pinning: optional(m, 'interface-name-pinning', pinning) };
  }
  const m = struct(
    rest,
    [{ name: 'cidr' }, { name: 'dns' }, { name: 'gateway' }, { name: 'filter' }, { name: 'interface-name-pinning' }],
    'NetworkConfigFromAnswer',
  );
  return {
    source,
    cidr: required(m, 'cidr', cidr),
    dns: required(m, 'dns', ipAddr),
    gateway: required(m, 'gateway', ipAddr),
    filter: optional(m, 'filter', stringMap) ?? {},
    pinning: optional(m, 'interface-name-pinning', pinning),
  };
}

function zfsOptions(v: unknown): ZfsOptions {
  const m = struct(
    v,
    [{ name: 'raid' }, { name: 'ashift' }, { name: 'arc-max', aliases: ['arc_max'] }, { name: 'checksum' }, { name: 'compress' }, { name: 'copies' }, { name: 'hdsize' }],
    'ZfsOptions',
  );
  return {
    raid: optional(m, 'raid', (x) => aliased(ZFS_RAID, ['RAID0', 'RAID1', 'RAID10', 'RAIDZ-1', 'RAIDZ-2', 'RAIDZ-3'], x)),
    ashift: optional(m, 'ashift', u32),
    arcMax: optional(m, 'arc-max', u32),
    checksum: optional(m, 'checksum', (x) => variant(ZFS_CHECKSUM, x)),
    compress: optional(m, 'compress', (x) => variant(ZFS_COMPRESS, x)),
    copies: optional(m, 'copies', u32),
    hdsize: optional(m, 'hdsize', f64),
  };
}

function lvmOptions(v: unknown): LvmOptions {
  const m = struct(v, ['hdsize', 'swapsize', 'maxroot', 'maxvz', 'minfree'].map((name) => ({ name })), 'LvmOptions');
  return {
    hdsize: optional(m, 'hdsize', f64),
    swapsize: optional(m, 'swapsize', f64),
    maxroot: optional(m, 'maxroot', f64),
    maxvz: optional(m, 'maxvz', f64),
    minfree: optional(m, 'minfree', f64),
  };
}

function btrfsOptions(v: unknown): BtrfsOptions {
  const m = struct(v, [{ name: 'hdsize' }, { name: 'raid' }, { name: 'compress' }], 'BtrfsOptions');
  return {
    hdsize: optional(m, 'hdsize', f64),
    raid: optional(m, 'raid', (x) => aliased(BTRFS_RAID, ['RAID0', 'RAID1', 'RAID10'], x)),
    compress: optional(m, 'compress', (x) => variant(BTRFS_COMPRESS, x)),
  };
}

function diskSetup(v: unknown): DiskSetup {
  const m = struct(
    v,
    [
      { name: 'filesystem' },
      { name: 'disk-list', aliases: ['disk_list'] },
      { name: 'filter' },
      { name: 'filter-match', aliases: ['filter_match'] },
      { name: 'zfs' },
      { name: 'lvm' },
      { name: 'btrfs' },
    ],
    'DiskSetup',
  );
  return {
    filesystem: required(m, 'filesystem', (x) => variant(['ext4', 'xfs', 'zfs', 'btrfs'], x)),
    diskList: optional(m, 'disk-list', strings) ?? [],
    filter: optional(m, 'filter', stringMap) ?? {},
    filterMatch: optional(m, 'filter-match', (x) => variant(['any', 'all'], x)),
    zfs: optional(m, 'zfs', zfsOptions),
    lvm: optional(m, 'lvm', lvmOptions),
    btrfs: optional(m, 'btrfs', btrfsOptions),
  };
}

function webhook(v: unknown): PostInstallationWebhook {
  const m = struct(v, [{ name: 'url' }, { name: 'cert-fingerprint', aliases: ['cert_fingerprint'] }, { name: 'auth-token', aliases: ['auth_token'] }], 'PostNotificationHookInfo');
  return { url: required(m, 'url', str), certFingerprint: optional(m, 'cert-fingerprint', str), authToken: optional(m, 'auth-token', str) };
}

function firstBoot(v: unknown): FirstBoot {
  const m = struct(v, [{ name: 'source' }, { name: 'ordering' }, { name: 'url' }, { name: 'cert-fingerprint', aliases: ['cert_fingerprint'] }], 'FirstBootHookInfo');
  return {
    source: required(m, 'source', (x) => variant(['from-url', 'from-iso'], x)),
    ordering: optional(m, 'ordering', (x) => variant(['before-network', 'network-online', 'fully-up'], x)) ?? 'fully-up',
    url: optional(m, 'url', str),
    certFingerprint: optional(m, 'cert-fingerprint', str),
  };
}

/** The parsed TOML document → the typed answer, or an AnswerParseError with serde's wording. */
export function deserializeAnswer(doc: Table): AnswerFile {
  const m = struct(
    doc,
    [{ name: 'global' }, { name: 'network' }, { name: 'disk-setup' }, { name: 'post-installation-webhook' }, { name: 'first-boot' }],
    'AutoInstallerConfig',
  );
  return {
    global: required(m, 'global', globalOptions),
    network: required(m, 'network', network),
    disks: required(m, 'disk-setup', diskSetup),
    postInstallationWebhook: optional(m, 'post-installation-webhook', webhook),
    firstBoot: optional(m, 'first-boot', firstBoot),
  };
}
