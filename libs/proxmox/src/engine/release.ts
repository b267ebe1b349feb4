/**
 * The host's Proxmox VE release, read from `GET /version` before anything else is planned: which
 * releases Genesis supports, and which declared features a release lacks. Every answer here is a
 * plan problem (with the field and the fix), so an unsupported host gets no write at all.
 */
import type { PveVersion } from '../api/version';
import type { DesiredState } from '../state/load';

/**
 * The oldest release Genesis converges: 8.4. Templates download cloud images into `import`
 * content with `download-url`, and `download_url` accepts `.qcow2|.raw|.vmdk` there only since
 * libpve-storage-perl 8.3.6 (pve-storage commit 76f695f "import: allow upload of guest images
 * files into import storage", released with PVE 8.4); 8.3 takes `.ova` only, 8.2 and older have no
 * `import` content at all (added in 8.2.8).
 */
export const MINIMUM_RELEASE = { major: 8, minor: 4 } as const;

export interface HostRelease {
  /** `8.4.2`, the pve-manager version. */
  version: string;
  major: number;
  minor: number;
}

export function parseRelease(v: PveVersion): HostRelease | undefined {
  const m = /^(\d+)\.(\d+)/.exec(v.release ?? '') ?? /^(\d+)\.(\d+)/.exec(v.version ?? '');
  if (!m) return undefined;
  return { version: v.version, major: Number(m[1]), minor: Number(m[2]) };
}

const atLeast = (r: HostRelease, major: number, minor: number) => r.major > major || (r.major === major && r.minor >= minor);

/** The QEMU `major.minor` a release ships (pve-qemu-kvm): 8.4 → 9.2, 9.0 → 10.0, 9.1 and later → 10.1. */
export function qemuOf(r: HostRelease): [number, number] {
  if (!atLeast(r, 9, 0)) return [9, 2];
  if (!atLeast(r, 9, 1)) return [10, 0];
  return [10, 1];
}

/** Refusal of a release older than the minimum, naming the fix. */
export function releaseProblems(v: PveVersion): string[] {
  const r = parseRelease(v);
  if (!r) return [`GET /version answered version '${v.version}', release '${v.release}': not a Proxmox VE release Genesis can read`];
  if (atLeast(r, MINIMUM_RELEASE.major, MINIMUM_RELEASE.minor)) return [];
  return [
    `the host runs Proxmox VE ${r.version}; Genesis needs ${MINIMUM_RELEASE.major}.${MINIMUM_RELEASE.minor} or newer ` +
      `(cloud images go into 'import' storage content with download-url, which takes .qcow2 files only since PVE 8.4). ` +
      `Fix: upgrade the host (apt update && apt full-upgrade for 8.4, or pve8to9 and the 9.x upgrade), then run again`,
  ];
}

/** Declared features the host's release lacks: `<file>: <field>: …` with the fix. */
export function featureProblems(state: DesiredState, v: PveVersion): string[] {
  const r = parseRelease(v);
  if (!r) return [];
  const problems: string[] = [];
  const [qMajor, qMinor] = qemuOf(r);
  state.templates.forEach((t, i) => {
    // A pinned machine version newer than the host's QEMU cannot start (qemu-server refuses it).
    const m = /^(?:pc-q35|pc-i440fx|pc)-(\d+)\.(\d+)/.exec(t.machine);
    if (m && (Number(m[1]) > qMajor || (Number(m[1]) === qMajor && Number(m[2]) > qMinor))) {
      problems.push(
        `${state.source.file}: templates[${i}].machine: ${t.machine} needs QEMU ${m[1]}.${m[2]}, ` +
          `and Proxmox VE ${r.version} ships QEMU ${qMajor}.${qMinor}. ` +
          `Fix: write machine: q35 (PVE pins Windows guests to the installed version itself) or upgrade the host`,
      );
    }
  });
  return problems;
}
