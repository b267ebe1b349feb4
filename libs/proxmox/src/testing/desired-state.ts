/** Test helper: the repository's infra/genesis.yaml, loaded as the CLI loads it (simulator env). */
import { join } from 'node:path';
import { loadDesiredState, type DesiredState } from '../state/load';

export const REPO_ROOT = join(__dirname, '../../../..');
export const GENESIS_FILE = join(REPO_ROOT, 'infra/genesis.yaml');

/**
 * What a user exports before provisioning the repository's file: a guest SSH key (a real ed25519
 * public key: the simulator checks it with ssh-keygen as qemu-server does) and the Windows password.
 */
export const TEST_ENV: NodeJS.ProcessEnv = {
  GENESIS_SSH_KEY: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPVWpm2QQF5j4I4XHdkX3JO3XbY6RnQBlJ6NLsAhT9ow genesis-test',
  GENESIS_WIN_PASSWORD: 'correct-horse-battery',
};

export function genesisState(env: NodeJS.ProcessEnv = TEST_ENV): DesiredState {
  return loadDesiredState(GENESIS_FILE, env, REPO_ROOT);
}
