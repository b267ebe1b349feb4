/**
 * What a template step puts onto the host besides API config: the Ubuntu user-data snippet
 * (infra/cloud-init/*.yaml with `ssh_keys` added, libs/installer renderUserData) and the Windows
 * answer ISO (autounattend.xml + debloat.ps1, built with xorriso by libs/installer buildAnswerIso).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildAnswerIso, renderUserData, windowsConfigSchema } from '@genesis/installer';
import type { DesiredState } from '../state/load';
import { fieldLocation } from '../state/load';
import type { TemplateSpec } from '../state/schema';

/** The snippet's content: the user-data file with the guests' SSH keys; refuses one that sets a password. */
export function renderSnippet(spec: TemplateSpec, state: DesiredState): string {
  const file = spec.cloudinit.userData!;
  const text = readFileSync(resolve(state.source.dir, file), 'utf8');
  return renderUserData(text, state.ssh_keys, `infra/${file}`);
}

/** Why the snippet cannot be rendered (checked at plan time, before any write), or undefined. */
export function snippetProblem(spec: TemplateSpec, state: DesiredState, index: number): string | undefined {
  if (!spec.cloudinit.userData) return undefined;
  if (!state.ssh_keys.length)
    return `${fieldLocation(state, ['ssh_keys'])}: no SSH key for the guests; the user-data sets no password, so ${spec.name}'s VMs would be unreachable. Export GENESIS_SSH_KEY="$(cat ~/.ssh/id_ed25519.pub)" (or list keys under ssh_keys:)`;
  try {
    renderSnippet(spec, state);
    return undefined;
  } catch (e) {
    return `${fieldLocation(state, ['templates', index, 'cloudinit', 'userData'])}: ${(e as Error).message}`;
  }
}

export const answerVolume = (spec: TemplateSpec) => (spec.install ? `${spec.install.answer.storage}:iso/${spec.install.answer.filename}` : undefined);

/** Why the answer ISO cannot be built (plan time), or undefined. */
export function answerProblem(spec: TemplateSpec, state: DesiredState, index: number): string | undefined {
  const parsed = windowsConfigSchema.safeParse(windowsConfigInput(spec));
  if (parsed.success) return undefined;
  const issue = parsed.error.issues[0];
  const field = String(issue.path[0] ?? '');
  const fix = field === 'password' ? 'export GENESIS_WIN_PASSWORD=… (at least 8 characters; it is written into the answer file in unattend\'s encoded form, never logged)' : 'correct it';
  // Never quote the value: it may be the password.
  return `${fieldLocation(state, ['templates', index, 'install', 'unattend', field])}: ${issue.message}; ${fix}`;
}

function windowsConfigInput(spec: TemplateSpec) {
  const u = spec.install!.unattend;
  return { password: u.password, ...(u.user ? { user: u.user } : {}), ...(u.computerName ? { computerName: u.computerName } : {}) };
}

/** The answer ISO's bytes, built in a private temporary directory that is removed after. */
export function buildAnswerMedia(spec: TemplateSpec, state: DesiredState): Buffer {
  const config = windowsConfigSchema.parse(windowsConfigInput(spec));
  const dir = mkdtempSync(join(tmpdir(), 'genesis-answer-'));
  try {
    const output = join(dir, spec.install!.answer.filename);
    const msi = spec.install!.cloudbaseMsi;
    buildAnswerIso(config, { output, ...(msi ? { cloudbaseMsi: resolve(state.source.dir, msi) } : {}) });
    return readFileSync(output);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
