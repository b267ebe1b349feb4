/** Test helpers: infra/genesis.yaml as the CLI loads it, or edited first (to break it on purpose). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDesiredState, type DesiredState } from '@genesis/proxmox';

export const REPO_ROOT = join(__dirname, '../../..');
const GENESIS = join(REPO_ROOT, 'infra/genesis.yaml');

/** genesis.yaml with each [find, replace] applied; a find that is not there fails the test loudly. */
export function genesisWith(...edits: [string, string][]): DesiredState {
  let text = readFileSync(GENESIS, 'utf8');
  for (const [find, replace] of edits) {
    if (!text.includes(find)) throw new Error(`test fixture: "${find}" is not in infra/genesis.yaml`);
    text = text.replace(find, replace);
  }
  return parseDesiredState(text, 'infra/genesis.yaml', {}, join(REPO_ROOT, 'infra'));
}

/** Root-only checks (namespaces, mounts) run as root and in CI; elsewhere they are skipped. */
export const asRoot = process.getuid?.() === 0 || process.env.CI === 'true' ? it : it.skip;
