/** Test helper: the repository's infra/genesis.yaml, loaded as the CLI loads it (simulator env). */
import { join } from 'node:path';
import { loadDesiredState, type DesiredState } from '../state/load';

export const REPO_ROOT = join(__dirname, '../../../..');
export const GENESIS_FILE = join(REPO_ROOT, 'infra/genesis.yaml');

export function genesisState(env: NodeJS.ProcessEnv = {}): DesiredState {
  return loadDesiredState(GENESIS_FILE, env, REPO_ROOT);
}
