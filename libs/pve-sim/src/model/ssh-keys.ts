/**
 * cloud-init `sshkeys` as qemu-server checks them (`PVE/API2/Qemu.pm` create_vm and
 * `$update_vm_api`): `URI::Escape::uri_unescape`, then pve-common `PVE/Tools.pm`
 * `validate_ssh_public_keys`: every non-blank line through `ssh-keygen -l -f`, any failure is
 * "SSH public key validation error". The real ssh-keygen runs here too.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dieError } from './errors';

export function validateSshKeys(encoded: string | undefined): void {
  if (encoded === undefined) return;
  let raw: string;
  try {
    raw = decodeURIComponent(encoded);
  } catch {
    raw = encoded;
  }
  const dir = mkdtempSync(join(tmpdir(), 'pve-sim-sshkey-'));
  try {
    for (const line of raw.split('\n')) {
      if (/^\s*$/.test(line)) continue;
      const file = join(dir, 'key');
      writeFileSync(file, `${line}\n`);
      try {
        execFileSync('ssh-keygen', ['-l', '-f', file], { stdio: 'ignore' });
      } catch {
        throw dieError('SSH public key validation error');
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
