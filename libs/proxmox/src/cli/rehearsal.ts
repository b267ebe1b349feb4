/**
 * What the embedded simulator stands in for is a host the user has prepared: the user's inputs that
 * a real run needs from the environment or on storage are filled in for a rehearsal, each said
 * once on the first lines. Against a real host (PVE_HOST) nothing here applies.
 */
import type { DesiredState } from '../state/load';

/** A rehearsal key (public; the simulator checks it with ssh-keygen) and a password for the simulated Windows install. */
export const REHEARSAL_ENV: Record<string, string> = {
  GENESIS_SSH_KEY: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPVWpm2QQF5j4I4XHdkX3JO3XbY6RnQBlJ6NLsAhT9ow genesis-rehearsal',
  GENESIS_WIN_PASSWORD: 'rehearsal-only-password',
};

/**
 * The environment the desired state is loaded with: against the simulator, unset inputs get
 * rehearsal values; `note` is the line that says so (printed once the simulator is up).
 */
export function rehearsalEnv(env: NodeJS.ProcessEnv): { env: NodeJS.ProcessEnv; note?: string } {
  if (env.PVE_HOST?.trim()) return { env };
  const filled = Object.keys(REHEARSAL_ENV).filter((k) => !env[k]?.trim());
  if (!filled.length) return { env };
  return {
    env: { ...env, ...Object.fromEntries(filled.map((k) => [k, REHEARSAL_ENV[k]])) },
    note: `rehearsal on the simulator: ${filled.join(', ')} not set, using rehearsal values (a real host needs them exported)`,
  };
}

/** The ISOs a user uploads before provisioning (templates[].install.iso/virtio), placed on the simulated storage. */
export async function placeUserIsos(state: DesiredState, place: (volid: string, content: string) => Promise<void>, say: (line: string) => void): Promise<void> {
  const isos = state.templates.flatMap((t) => (t.install ? [t.install.iso, t.install.virtio] : []));
  if (!isos.length) return;
  for (const volid of isos) await place(volid, '');
  say(`rehearsal on the simulator: its storage holds the ISOs you would upload (${isos.join(', ')})`);
}
