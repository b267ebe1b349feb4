/**
 * A template installed from ISOs (Template-Win10-Trading): the user's installer ISO and the VirtIO
 * drivers ISO must already be on storage (read with the plan, refused before any write), the answer
 * ISO is built here and uploaded; the VM boots Setup from CD with all three attached, and the
 * template step waits (with a deadline) for the guest agent, which the answer file's first logon
 * installs last. Then the guest is shut down, the install media detached, and the VM converted.
 */
import type { PveApi } from '../client/types';
import { waitForAgent } from '../api/agent';
import { shutdownVm } from '../api/power';
import { getVmConfig, getVmStatus, startVm, updateVmConfig } from '../api/qemu';
import { awaitTask, type ProgressFn } from '../api/tasks';
import { fieldLocation, type DesiredState } from '../state/load';
import type { TemplateSpec } from '../state/schema';
import { answerVolume } from './template-media';

/** Where the install media sit while Setup runs: ide2 is the cloud-init drive (cloudbase-init). */
export const INSTALL_DRIVES = { iso: 'ide0', virtio: 'ide1', answer: 'ide3' } as const;

export function installMediaConfig(spec: TemplateSpec): Record<string, string> {
  const i = spec.install!;
  return {
    [INSTALL_DRIVES.iso]: `${i.iso},media=cdrom`,
    [INSTALL_DRIVES.virtio]: `${i.virtio},media=cdrom`,
    [INSTALL_DRIVES.answer]: `${answerVolume(spec)},media=cdrom`,
    // The blank disk first: once Windows is on it, it boots from there and Setup never runs again.
    boot: `order=scsi0;${INSTALL_DRIVES.iso}`,
  };
}

/** The ISO volumes a template's install needs to find on storage, `storage/iso` keyed. */
export const isoLookups = (spec: TemplateSpec): string[] =>
  spec.install ? [...new Set([spec.install.iso, spec.install.virtio, answerVolume(spec)!].map((v) => `${v.split(':')[0]}/iso`))] : [];

/** The user-supplied ISOs missing from storage: each a problem naming the field and the fix. */
export function missingIsoProblems(spec: TemplateSpec, index: number, state: DesiredState, volumes: Record<string, string[]>): string[] {
  const out: string[] = [];
  for (const field of ['iso', 'virtio'] as const) {
    const volid = spec.install![field];
    const storage = volid.split(':')[0];
    const present = volumes[`${storage}/iso`] ?? [];
    if (present.includes(volid)) continue;
    const what = field === 'iso' ? 'the Windows 10 LTSC installer ISO' : 'the VirtIO drivers ISO (virtio-win.iso)';
    out.push(
      `${fieldLocation(state, ['templates', index, 'install', field])}: ${volid} is not on storage ${storage} ` +
        `(ISOs there: ${present.join(', ') || 'none'}). Upload ${what} first (GUI: ${storage} → ISO Images → Upload, ` +
        `or copy it to the storage's template/iso/ directory), or write the name it has there`,
    );
  }
  return out;
}

/**
 * Runs the unattended install of a created VM (or resumes one: a VM already running Setup, or
 * stopped half-way, is started and waited for), then leaves it stopped without install media.
 */
export async function runInstall(api: PveApi, spec: TemplateSpec, progress: ProgressFn): Promise<void> {
  const timeoutMs = spec.install!.timeout * 60_000;
  const started = Date.now();
  const status = await getVmStatus(api, spec.id);
  if (status.status !== 'running') {
    progress(`  starting ${spec.id} (${spec.name}): Windows Setup runs unattended from the answer ISO`);
    await awaitTask(api, await startVm(api, spec.id), `start ${spec.id}`, progress);
  }
  progress(`  waiting for the guest agent of ${spec.id}: it answers when the install has finished (giving up after ${spec.install!.timeout} min)`);
  await waitForAgent(api, spec.id, timeoutMs).catch((e: Error) => {
    throw new Error(
      `${e.message}. The unattended install of ${spec.name} did not finish within templates[].install.timeout (${spec.install!.timeout} min): ` +
        `open the VM's console to see where Setup stopped, fix it, then run again (the VM is kept; the next run waits again)`,
    );
  });
  progress(`  the install of ${spec.id} finished ${((Date.now() - started) / 1000).toFixed(1)} s after this step started it (or found it running); shutting it down`);
  await awaitTask(api, await shutdownVm(api, spec.id), `shutdown ${spec.id}`, progress, 10 * 60_000);
  const config = await getVmConfig(api, spec.id);
  const media = Object.values(INSTALL_DRIVES).filter((k) => config[k] !== undefined);
  await awaitTask(api, await updateVmConfig(api, spec.id, { boot: 'order=scsi0' }, media), `detach install media of ${spec.id}`, progress);
}
