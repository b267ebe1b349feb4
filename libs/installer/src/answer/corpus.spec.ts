/**
 * The installer's own test corpus (../shared/fixtures/pve-installer, copied from proxmox/pve-installer
 * at ec2af90; see its SOURCE.md): every parse_answer/ file accepted, every parse_answer_fail/ file
 * refused with exactly the message its NAME.json holds. Cases the shared copy left out are replayed
 * inline below from the same commit.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { checkAnswer } from './check';
import { loadEnvironment } from './environment';

// <repo root>/../shared, as the project's other shared fixtures
const shared = resolve(__dirname, '../../../../../shared/fixtures/pve-installer');
const present = existsSync(join(shared, 'parse_answer'));
const names = (dir: string) =>
  present
    ? readdirSync(join(shared, dir))
        .filter((f) => f.endsWith('.toml'))
        .map((f) => f.replace(/\.toml$/, ''))
    : [];

(present ? describe : describe.skip)('pve-installer answer corpus', () => {
  it.each(names('parse_answer'))('accepts parse_answer/%s', (name) => {
    const file = join(shared, 'parse_answer', `${name}.toml`);
    const result = checkAnswer(readFileSync(file, 'utf8'), loadEnvironment(shared, file));
    expect(result).toMatchObject({ ok: true });
    // the disks it picks agree with the installer's derived configuration
    const expected = JSON.parse(readFileSync(join(shared, 'parse_answer', `${name}.json`), 'utf8')) as {
      target_hd?: string;
      disk_selection?: Record<string, string>;
    };
    const env = loadEnvironment(shared, file);
    const wanted = expected.target_hd
      ? [expected.target_hd]
      : Object.keys(expected.disk_selection ?? {})
          .sort()
          .map((i) => env.disks.find((d) => d.index === i)?.path);
    if (result.ok) expect(result.disks).toEqual(wanted);
  });

  it.each(names('parse_answer_fail'))('refuses parse_answer_fail/%s with the installer reason', (name) => {
    const file = join(shared, 'parse_answer_fail', `${name}.toml`);
    const expected = JSON.parse(readFileSync(join(shared, 'parse_answer_fail', `${name}.json`), 'utf8')) as { error?: string; 'parse-error'?: string };
    const result = checkAnswer(readFileSync(file, 'utf8'), loadEnvironment(shared, file));
    expect(result).toEqual({ ok: false, stage: expected.error ? 'verify' : 'parse', message: expected.error ?? expected['parse-error'] });
  });

  it('has the whole corpus', () => {
    expect(names('parse_answer').length).toBeGreaterThanOrEqual(19);
    expect(names('parse_answer_fail').length).toBeGreaterThanOrEqual(8);
  });
});

// parse_answer_fail cases of pve-installer ec2af90 not in the shared copy (answer bodies abridged to
// the lines that matter; global defaults as in the corpus).
const GLOBAL = `keyboard = "de"\ncountry = "at"\nmailto = "mail@no.invalid"\ntimezone = "Europe/Vienna"\n`;
const upstreamFail: [string, string, string][] = [
  [
    'duplicate_disk',
    `[global]\n${GLOBAL}fqdn = "btrfs-raid-single-disk.fail.testinstall"\nroot-password = "12345678"\n[network]\nsource = "from-dhcp"\n[disk-setup]\nfilesystem = "btrfs"\nbtrfs.raid = "raid1"\ndisk-list = ["sda", "sdb", "sda"]\n`,
    'List of disks contains duplicate device sda',
  ],
  [
    'fqdn_hostname_only',
    `[global]\n${GLOBAL}fqdn = "foobar"\nroot-password = "12345678"\n[network]\nsource = "from-dhcp"\n[disk-setup]\nfilesystem = "ext4"\ndisk-list = ["sda"]\n`,
    'error parsing answer.toml: either a fully-qualified domain name or extendend configuration for usage with DHCP must be specified',
  ],
  [
    'ipv4_and_subnet_mask_33',
    `[global]\n${GLOBAL}fqdn = "pveauto.testinstall"\nroot_password = "12345678"\n[network]\nsource = "from-answer"\ncidr = "10.10.10.10/33"\ndns = "10.10.10.1"\ngateway = "10.10.10.1"\nfilter.ID_NET_NAME = "enp129s0f1np1"\n[disk-setup]\nfilesystem = "ext4"\ndisk_list = ["sda"]\n`,
    'error parsing answer.toml: invalid IP address',
  ],
  [
    'network_interface_pinning_overlong_interface_name',
    `[global]\n${GLOBAL}fqdn = "pveauto.fail.testinstall"\nroot-password = "12345678"\n[network]\nsource = "from-dhcp"\ninterface-name-pinning.enabled = true\n[network.interface-name-pinning.mapping]\n"ab:cd:ef:12:34:56" = "waytoolonginterfacename"\n[disk-setup]\nfilesystem = "ext4"\ndisk-list = ["sda"]\n`,
    "interface name 'waytoolonginterfacename' for 'ab:cd:ef:12:34:56' cannot be longer than 15 characters",
  ],
];

describe('answer check without an environment', () => {
  it.each(upstreamFail)('refuses upstream %s', (_name, text, message) => {
    expect(checkAnswer(text)).toMatchObject({ ok: false, message });
  });

  const minimal = `[global]\n${GLOBAL}fqdn = "pve.example.lan"\nroot-password-hashed = "$6$x$y"\n[network]\nsource = "from-dhcp"\n[disk-setup]\nfilesystem = "zfs"\nzfs.raid = "raid1"\ndisk-list = ["sda", "sdb"]\n`;

  it('accepts a minimal ZFS mirror and says what it could not check', () => {
    const r = checkAnswer(minimal);
    expect(r).toMatchObject({ ok: true });
    if (r.ok) expect(r.skipped).toContain('NIC and disk matching');
  });

  it.each([
    ['unknown top-level table', minimal + '[extra]\na = 1\n', 'error parsing answer.toml: unknown field `extra`, expected one of `global`, `network`, `disk-setup`, `post-installation-webhook`, `first-boot`'],
    ['unknown zfs option', minimal.replace('zfs.raid', 'zfs.level = 1\nzfs.raid'), 'error parsing answer.toml: unknown field `level`, expected one of `raid`, `ashift`, `arc-max`, `checksum`, `compress`, `copies`, `hdsize`'],
    ['bad raid level', minimal.replace('"raid1"', '"mirror"'), 'error parsing answer.toml: unknown variant `mirror`, expected one of `RAID0`, `RAID1`, `RAID10`, `RAIDZ-1`, `RAIDZ-2`, `RAIDZ-3`'],
    ['network without source', minimal.replace('source = "from-dhcp"', 'cidr = "10.0.0.2/24"'), 'error parsing answer.toml: missing field `source`'],
    ['static network without a NIC filter', minimal.replace('source = "from-dhcp"', 'source = "from-answer"\ncidr = "10.0.0.2/24"\ndns = "10.0.0.1"\ngateway = "10.0.0.1"'), 'no filter defined'],
    ['both disk-list and filter', minimal.replace('disk-list', 'filter.ID_SERIAL = "*"\ndisk-list'), "Cannot use both, 'disk-list' and 'filter'"],
    ['neither disk-list nor filter', minimal.replace('disk-list = ["sda", "sdb"]\n', ''), "Need either 'disk-list' or 'filter' set"],
    ['zfs without raid', minimal.replace('zfs.raid = "raid1"\n', ''), "ZFS raid level 'zfs.raid' must be set"],
    ['raidz-2 with three disks', minimal.replace('"raid1"', '"raidz-2"').replace('["sda", "sdb"]', '["sda", "sdb", "sdc"]'), 'ZFS RAIDZ-2 needs at least 4 disks, got 3'],
    ['first-boot from-url without url', minimal + '[first-boot]\nsource = "from-url"\n', 'first-boot executable source set to URL, but none specified!'],
    ['unknown first-boot ordering', minimal + '[first-boot]\nsource = "from-iso"\nordering = "late"\n', 'error parsing answer.toml: unknown variant `late`, expected one of `before-network`, `network-online`, `fully-up`'],
    ['unknown keyboard', minimal.replace('keyboard = "de"', 'keyboard = "us"'), 'error parsing answer.toml: unknown variant `us`'],
  ])('refuses %s', (_name, text, message) => {
    const r = checkAnswer(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message.startsWith(message)).toBe(true);
  });
});
