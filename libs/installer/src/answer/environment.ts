/**
 * The machine an answer file is checked against: what the installer's own test harness reads
 * (`parse-answer.rs`): `run-env-info.json` (disks, DHCP lease), `run-env-udev.json` (udev
 * properties of disks and NICs), `locales.json`, `iso-info.json` (product config), and
 * `NAME.run-env.json` beside an answer file when that case has its own. Without an environment the
 * check still applies every rule that does not depend on the machine.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export interface RunDisk {
  index: string;
  path: string;
  size: number;
}

export interface InstallEnvironment {
  disks: RunDisk[];
  udevDisks: Record<string, Record<string, string>>;
  udevNics: Record<string, Record<string, string>>;
  dhcpHostname?: string;
  dhcpDomain?: string;
  macs: string[];
  countries: Set<string>;
  keymaps: Set<string>;
  zones: Set<string>;
  enableBtrfs: boolean;
}

interface RunEnvInfo {
  disks: [number, string, number, string, number | null, string][];
  network: { hostname?: string | null; dns?: { domain?: string | null }; interfaces?: Record<string, { mac: string }> };
}

function readJson<T>(file: string): T {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch (e) {
    throw new Error(`${file}: ${(e as Error).message}; the environment directory needs the installer's run-env-info.json, run-env-udev.json, locales.json and iso-info.json`);
  }
}

/** Reads DIR (the layout of pve-installer's tests/resources); `answerFile`'s NAME.run-env.json wins when present. */
export function loadEnvironment(dir: string, answerFile?: string): InstallEnvironment {
  const own = answerFile ? join(dirname(answerFile), `${basename(answerFile, '.toml')}.run-env.json`) : undefined;
  const run = readJson<RunEnvInfo>(own && existsSync(own) ? own : join(dir, 'run-env-info.json'));
  const udev = readJson<{ disks: Record<string, Record<string, string>>; nics: Record<string, Record<string, string>> }>(join(dir, 'run-env-udev.json'));
  const locales = readJson<{ countries?: Record<string, unknown>; country?: Record<string, unknown>; kmap: Record<string, unknown>; cczones: Record<string, Record<string, unknown>> }>(
    join(dir, 'locales.json'),
  );
  const iso = existsSync(join(dir, 'iso-info.json')) ? readJson<{ 'product-cfg'?: { enable_btrfs?: boolean } }>(join(dir, 'iso-info.json')) : {};
  return {
    // the harness sorts the disks (by index first)
    disks: run.disks.map(([index, path, size]) => ({ index: String(index), path, size })).sort((a, b) => Number(a.index) - Number(b.index)),
    udevDisks: udev.disks,
    udevNics: udev.nics,
    dhcpHostname: run.network.hostname ?? undefined,
    dhcpDomain: run.network.dns?.domain ?? undefined,
    macs: Object.values(run.network.interfaces ?? {}).map((i) => i.mac.toLowerCase()),
    countries: new Set(Object.keys(locales.countries ?? locales.country ?? {})),
    keymaps: new Set(Object.keys(locales.kmap)),
    zones: new Set(Object.values(locales.cczones).flatMap((z) => Object.keys(z))),
    enableBtrfs: iso['product-cfg']?.enable_btrfs ?? true,
  };
}
