/**
 * A Debian root for one test run: the cached debootstrap root (make-debian-root.sh) as the lower
 * layer of an overlay, so every run starts from the same untouched root and costs no copy. The
 * hardware a container cannot have is laid out as files (host-layout.ts) and stand-ins.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { hostLayout, type HostLayoutOptions } from '../src/host/testing/host-layout';

export const ROOT_CACHE = process.env.GENESIS_ROOT_CACHE ?? '/var/cache/genesis/debian-roots';
const E2E = __dirname;

export type Suite = 'bookworm' | 'trixie';

/** Builds the cached root once (minutes), or reuses it (milliseconds). */
export function ensureCachedRoot(suite: Suite): { dir: string; seconds: number; log: string } {
  const dir = join(ROOT_CACHE, suite);
  const started = Date.now();
  const log = execFileSync(join(E2E, 'make-debian-root.sh'), [suite, dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 30 * 60_000 });
  return { dir, seconds: (Date.now() - started) / 1000, log: log.trim() };
}

export interface TestRoot {
  root: string;
  write(path: string, content: string, mode?: number): void;
  read(path: string): string;
  chroot(...argv: string[]): string;
  dispose(): void;
}

export function overlayRoot(lower: string, layout: HostLayoutOptions & { lspci: string }): TestRoot {
  const base = mkdtempSync(join(tmpdir(), 'genesis-root-'));
  const [upper, work, root] = ['upper', 'work', 'root'].map((d) => join(base, d));
  for (const d of [upper, work, root]) mkdirSync(d);
  execFileSync('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${lower},upperdir=${upper},workdir=${work}`, root]);
  const write = (path: string, content: string, mode = 0o644) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content, { mode });
    chmodSync(join(root, path), mode);
  };
  const chroot = (...argv: string[]) => execFileSync('chroot', [root, ...argv], { encoding: 'utf8', env: { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C' } });
  for (const [path, content] of Object.entries(hostLayout(layout))) write(path, content);
  write('/usr/share/genesis-test/lspci-nnk.txt', layout.lspci);
  for (const tool of ['lspci', 'proxmox-boot-tool']) {
    mkdirSync(join(root, 'usr/local/sbin'), { recursive: true });
    copyFileSync(join(E2E, 'stand-ins', tool), join(root, 'usr/local/sbin', tool));
    chmodSync(join(root, 'usr/local/sbin', tool), 0o755);
  }
  return {
    root,
    write,
    read: (path) => readFileSync(join(root, path), 'utf8'),
    chroot,
    dispose: () => {
      execFileSync('umount', [root]);
      rmSync(base, { recursive: true, force: true });
    },
  };
}

/** GRUB's update-grub needs the device of / (grub-probe); the chroot's root is an overlay. */
export function useGrubProbeStandIn(r: TestRoot): void {
  r.chroot('dpkg-divert', '--quiet', '--local', '--rename', '--add', '/usr/sbin/grub-probe');
  r.write('/usr/sbin/grub-probe', readFileSync(join(E2E, 'stand-ins', 'grub-probe'), 'utf8'), 0o755);
  mkdirSync(join(r.root, 'boot/grub'), { recursive: true });
}

/** The forced command every ssh session of the test runs: the requested command, inside the root. */
export function enterRootScript(dir: string, root: string): string {
  const path = join(dir, 'enter-root');
  writeFileSync(path, `#!/bin/sh\nexec /usr/sbin/chroot '${root}' /bin/sh -c "$SSH_ORIGINAL_COMMAND"\n`, { mode: 0o755 });
  return path;
}
