/**
 * The Proxmox VE releases the simulator can be: what `/version` answers, which official schema
 * validates requests, and the facts of that release its behaviour depends on (QEMU version, the
 * installer's storage.cfg). Each value names where it was read.
 */

export const PVE_VERSIONS = ['9.1', '8.4'] as const;
export type PveVersion = (typeof PVE_VERSIONS)[number];
export const DEFAULT_PVE_VERSION: PveVersion = '9.1';

export interface PveRelease {
  /** `x.y`, what `--pve-version` takes. */
  id: PveVersion;
  /**
   * `GET /version` as pve-manager `PVE/API2.pm` (`version`) answers it: the pve-manager package
   * version, the point release and the 16-hex-digit git revision it was built from (the commit
   * "bump version to …" in pve-manager).
   */
  version: { version: string; release: string; repoid: string };
  /** The official schema of this release, in `../shared/pve-api/`. */
  schemaFile: string;
  /** The QEMU the release ships (pve-qemu-kvm), as `kvm --version` reports it. */
  qemu: string;
  /** The running kernel on a fresh install (`/nodes/{node}/status` `kversion`). */
  kernel: { release: string; version: string };
  /**
   * `content` of `local` in the installer's storage.cfg (pve-installer
   * `Proxmox/Install/StorageConfig.pm` `get_lvm_thin_config`; `import` added in commit ec1d5ee
   * "enable import content type by default", installer 9.0.7).
   */
  localContent: string;
}

export const PVE_RELEASES: Record<PveVersion, PveRelease> = {
  '9.1': {
    id: '9.1',
    // pve-manager commit 5829c814947b3364bd6fd2149bbb2b9d39e2f321 "bump version to 9.1.3".
    version: { version: '9.1.3', release: '9.1', repoid: '5829c814947b3364' },
    schemaFile: 'pve-9.1.3-apischema.json',
    qemu: '10.1.2',
    kernel: { release: '6.17.2-1-pve', version: '#1 SMP PREEMPT_DYNAMIC PMX 6.17.2-1 (2025-10-21T11:55Z)' },
    localContent: 'iso,vztmpl,backup,import',
  },
  '8.4': {
    id: '8.4',
    // pve-manager commit 930c59e20fd1774d3c9ce465c34ec9ef84fe90a6 "bump version to 8.4.2".
    version: { version: '8.4.2', release: '8.4', repoid: '930c59e20fd1774d' },
    schemaFile: 'pve-8.4.2-apischema.json',
    qemu: '9.2.0',
    kernel: { release: '6.8.12-9-pve', version: '#1 SMP PREEMPT_DYNAMIC PMX 6.8.12-9 (2025-03-16T19:18Z)' },
    localContent: 'iso,vztmpl,backup',
  },
};

/** Parses `--pve-version` / `GENESIS_PVE_VERSION`; an unknown value names the supported ones. */
export function parsePveVersion(value: string | undefined, source = '--pve-version'): PveVersion {
  if (value === undefined || value.trim() === '') return DEFAULT_PVE_VERSION;
  const v = value.trim();
  if ((PVE_VERSIONS as readonly string[]).includes(v)) return v as PveVersion;
  throw new Error(`${source} '${value}' is not a simulated Proxmox VE release; use ${PVE_VERSIONS.join(' or ')} (default ${DEFAULT_PVE_VERSION})`);
}

/**
 * qemu-server `PVE/QemuServer/Machine.pm` `latest_installed_machine_version`: `major.minor` of
 * the installed QEMU, plus `+pveN` when `$PVE_MACHINE_VERSION` lists revisions for it
 * (9.2 → `+pve1`, 10.0 → `+pve1`; 10.1 has none).
 */
const PVE_MACHINE_REVISIONS: Record<string, number> = { '4.1': 2, '9.2': 1, '10.0': 1 };

export function latestMachineVersion(release: PveRelease): string {
  const [major, minor] = release.qemu.split('.');
  const version = `${major}.${minor}`;
  const pve = PVE_MACHINE_REVISIONS[version] ?? 0;
  return pve > 0 ? `${version}+pve${pve}` : version;
}

/** qemu-server `PVE/QemuServer/Helpers.pm` `windows_version`: the ostypes that are Windows. */
export function isWindowsOstype(ostype: string | undefined): boolean {
  return !!ostype && /^(wxp|w2k|w2k3|w2k8|wvista|win\d+)$/.test(ostype);
}
