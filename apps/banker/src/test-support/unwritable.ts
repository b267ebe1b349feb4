// Makes a directory really unwritable for this process, and writable again: permissions for an
// ordinary user; for root (who ignores them, as in this project's containers and dev machines) the
// immutable attribute (`chattr +i`, ext4/xfs/btrfs). The directory and the files in it are all
// covered, since an existing file stays appendable in a read-only directory.
import { execFileSync } from 'node:child_process';
import { chmodSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

function writable(dir: string): boolean {
  const probe = join(dir, '.write-probe');
  try {
    writeFileSync(probe, 'x');
    rmSync(probe);
    return true;
  } catch {
    return false;
  }
}

/** Returns the function that undoes it. Throws, naming the fix, where neither way works. */
export function makeUnwritable(dir: string): () => void {
  const paths = [...readdirSync(dir).map((name) => join(dir, name)), dir];
  for (const path of paths) chmodSync(path, path === dir ? 0o500 : 0o400);
  const restoreModes = () => {
    chmodSync(dir, 0o700);
    for (const path of paths) if (path !== dir) chmodSync(path, 0o600);
  };
  if (!writable(dir)) return restoreModes;
  try {
    execFileSync('chattr', ['+i', ...paths], { stdio: 'pipe' });
  } catch (err) {
    restoreModes();
    throw new Error(`cannot make ${dir} unwritable: running as root and chattr +i failed (${(err as Error).message}); run the test as a non-root user or on ext4`);
  }
  return () => {
    execFileSync('chattr', ['-i', ...paths], { stdio: 'pipe' });
    restoreModes();
  };
}
