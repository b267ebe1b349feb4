/**
 * VM templates: the cloud image is downloaded on the host (download-url into `import` content), the
 * VM is created with `import-from`, a cloud-init drive and its snippet, then converted to a template.
 * A run interrupted between those steps is resumed from what the host shows.
 */
import { pruneOrKeep } from './managed';
import { awaitTask } from '../api/tasks';
import { listContent, downloadUrl } from '../api/storage';
import { convertToTemplate, createVm, destroyVm, getVmConfig, listVms, updateVmConfig, type VmConfig, type VmListEntry } from '../api/qemu';
import type { TemplateSpec } from '../state/schema';
import type { DesiredState } from '../state/load';
import { cloudInitDrive, diffConfig, importVolume, templateConfig } from './vm-config';
import { answerProblem, answerVolume, buildAnswerMedia, renderSnippet, snippetProblem } from './template-media';
import { installMediaConfig, isoLookups, missingIsoProblems, runInstall } from './template-install';
import { uploadToStorage } from '../api/upload';
import { fieldLocation } from '../state/load';
import { truthy, unchanged, type Change, type Check, type FieldChange, type DiffOptions, type Resource } from './types';

export interface TemplateCurrent {
  vms: VmListEntry[];
  configs: Record<number, VmConfig>;
  /** Volume ids present per storage and content type (`local/import`). */
  volumes: Record<string, string[]>;
  /** The snippets' text on the host, by volume id, when a host channel could read them. */
  snippets?: Record<string, string | undefined>;
}

export interface TemplateChangeData {
  spec: TemplateSpec;
  set: Record<string, string | number>;
  needsImage: boolean;
  makeTemplate: boolean;
  /** The user-data snippet is missing on the host. */
  placeSnippet?: boolean;
  /** The answer ISO is missing on storage: build it here and upload it. */
  uploadAnswer?: boolean;
  /** Run (or resume) the unattended install before converting. */
  install?: boolean;
  digest?: string;
}

function volumeLookups(state: DesiredState): [string, string][] {
  const keys = new Set<string>();
  for (const t of state.templates) {
    if (t.disk.image) keys.add(`${t.disk.image.storage}/import`);
    if (t.cloudinit.snippet) keys.add(`${t.cloudinit.snippet.split(':')[0]}/snippets`);
    for (const k of isoLookups(t)) keys.add(k);
  }
  return [...keys].map((k) => k.split('/') as [string, string]);
}

export function diffTemplates(state: DesiredState, current: TemplateCurrent, prune: boolean, options: DiffOptions = { prune }): Change[] {
  const changes: Change[] = [];
  for (const [index, spec] of state.templates.entries()) {
    const id = `template ${spec.id} (${spec.name})`;
    const host = current.vms.find((v) => v.vmid === spec.id);
    const config = current.configs[spec.id];
    const desired = templateConfig(spec);
    const image = importVolume(spec);
    const imagePresent = !image || (current.volumes[`${spec.disk.image!.storage}/import`] ?? []).includes(image);
    const notes: string[] = [];
    const absent =
      !!spec.cloudinit.snippet && !(current.volumes[`${spec.cloudinit.snippet.split(':')[0]}/snippets`] ?? []).includes(spec.cloudinit.snippet);
    // Read through the host channel: a snippet whose text is not what the file and keys render is rewritten.
    const onHost = spec.cloudinit.snippet ? current.snippets?.[spec.cloudinit.snippet] : undefined;
    const stale = !absent && onHost !== undefined && spec.cloudinit.userData !== undefined && onHost !== renderedOrUndefined(spec, state);
    const snippetMissing = absent || stale;
    const snippetField: FieldChange[] = snippetMissing
      ? [{ field: 'snippet', ...(stale ? { from: 'differs from the rendered user-data' } : {}), to: `${spec.cloudinit.snippet} from infra/${spec.cloudinit.userData ?? '…'}` }]
      : [];
    if (snippetMissing) notes.push(`the PVE API cannot upload snippets: provision writes ${snippetPath(spec.cloudinit.snippet ?? '', state)} through the host channel`);
    const problems: string[] = [];
    const snippetIssue = snippetMissing ? snippetProblem(spec, state, index) : undefined;
    if (snippetIssue) problems.push(snippetIssue);
    const answer = answerVolume(spec);
    const answerMissing = !!answer && !(current.volumes[`${answer.split(':')[0]}/iso`] ?? []).includes(answer);
    if (!host || !config) {
      const fields: FieldChange[] = [...snippetField];
      if (!imagePresent) fields.push({ field: 'download', to: `${spec.disk.image!.url} → ${image} (${spec.disk.image!.checksumAlgorithm} ${spec.disk.image!.checksum})` });
      const set = spec.install ? { ...desired, ...installMediaConfig(spec) } : desired;
      if (spec.install) {
        problems.push(...missingIsoProblems(spec, index, state, current.volumes));
        if (answerMissing) {
          fields.push({ field: 'upload', to: `${answer} (autounattend.xml + debloat.ps1, built here)` });
          const issue = answerProblem(spec, state, index);
          if (issue) problems.push(issue);
        }
      }
      for (const [k, v] of Object.entries(set)) fields.push({ field: k, to: v });
      if (spec.install) fields.push({ field: 'install', to: `unattended, then wait for the guest agent (at most ${spec.install.timeout} min), shut down, detach the media` });
      fields.push({ field: 'template', to: true });
      changes.push({
        kind: 'template',
        id,
        action: 'create',
        fields,
        desired: {
          spec,
          set,
          needsImage: !imagePresent,
          makeTemplate: true,
          placeSnippet: snippetMissing,
          uploadAnswer: answerMissing,
          install: !!spec.install,
        } satisfies TemplateChangeData,
        notes,
        problems,
      });
      continue;
    }
    const isTemplate = truthy(config.template) || truthy(host.template);
    if (config.name !== undefined && config.name !== spec.name)
      problems.push(
        `${fieldLocation(state, ['templates', index, 'id'])}: VM ${spec.id} on the host is "${String(config.name)}", not ${spec.name}; Genesis would take it over. ` +
          `Pick a free id for the template, or (if it is this template renamed by hand) rename it back: qm set ${spec.id} --name ${spec.name}`,
      );
    const installing = !!spec.install && !isTemplate;
    const delta = diffConfig(installing ? { ...desired, ...installMediaConfig(spec) } : desired, config);
    if (installing) {
      // Mid-install the media and the CD boot stay until runInstall detaches them.
      delta.fields = delta.fields.filter((f) => f.field !== 'boot');
      delete delta.set.boot;
    }
    const diskKeys = Object.keys(delta.set).filter((k) => /^(scsi|ide|efidisk|tpmstate)\d+$/.test(k));
    if (isTemplate && diskKeys.length)
      problems.push(
        `template ${spec.id} has ${diskKeys.map((k) => `${k}=${String(config[k] ?? 'none')}`).join(', ')}; a template's disks cannot change. ` +
          `Destroy it (qm destroy ${spec.id}, after removing its linked clones) and run provision again`,
      );
    const needsImage = 'scsi0' in delta.set && !imagePresent;
    const fields = [...snippetField, ...delta.fields];
    if (needsImage) fields.unshift({ field: 'download', to: `${spec.disk.image!.url} → ${image}` });
    const uploadAnswer = installing && answerMissing;
    if (uploadAnswer) {
      fields.push({ field: 'upload', to: `${answer} (autounattend.xml + debloat.ps1, built here)` });
      const issue = answerProblem(spec, state, index);
      if (issue) problems.push(issue);
    }
    if (installing) fields.push({ field: 'install', to: `resume: wait for the guest agent (at most ${spec.install!.timeout} min), shut down, detach the media` });
    if (!isTemplate) fields.push({ field: 'template', from: false, to: true });
    if (!fields.length && !problems.length) changes.push({ ...unchanged('template', id), notes });
    else
      changes.push({
        kind: 'template',
        id,
        action: 'update',
        fields,
        desired: {
          spec,
          set: delta.set,
          needsImage,
          makeTemplate: !isTemplate,
          placeSnippet: snippetMissing,
          uploadAnswer,
          install: installing,
          digest: config.digest,
        } satisfies TemplateChangeData,
        notes,
        problems,
      });
  }
  if (prune)
    for (const v of current.vms)
      if (truthy(v.template) && !state.templates.some((t) => t.id === v.vmid) && !state.vms.some((x) => x.id === v.vmid))
        changes.push(pruneOrKeep({ kind: 'template', id: `template ${v.vmid} (${v.name ?? ''})`, action: 'delete', fields: [{ field: 'vmid', from: v.vmid }], current: v }, v.vmid, false, options));
  return changes;
}

/** The snippet as it should be; undefined when it cannot be rendered (a plan problem says why). */
function renderedOrUndefined(spec: TemplateSpec, state: DesiredState): string | undefined {
  try {
    return renderSnippet(spec, state);
  } catch {
    return undefined;
  }
}

/** Where a snippet volume (`local:snippets/x.yaml`) lives on the host: its dir storage's path. */
export function snippetPath(volid: string, state: DesiredState): string {
  const colon = volid.indexOf(':');
  const [storage, name] = [volid.slice(0, colon), volid.slice(colon + 1)];
  const dir = state.storage.find((s) => s.id === storage && s.type === 'dir');
  const path = dir && dir.type === 'dir' ? dir.path : '/var/lib/vz';
  return `${path}/${name}`;
}

function snippetCommand(spec: TemplateSpec, state: DesiredState): string {
  return (
    `no way to the host's files: copy the user-data snippet once: ` +
    `scp infra/${spec.cloudinit.userData ?? 'cloud-init/…'} root@$PVE_HOST:${snippetPath(spec.cloudinit.snippet ?? ':', state)}`
  );
}

export const templateResource: Resource<TemplateCurrent> = {
  kind: 'template',
  async read(api, state, hostContext) {
    const channel = hostContext?.host;
    const snippetsRead = Promise.all(
      state.templates
        .filter((t) => channel && t.cloudinit.snippet && t.cloudinit.userData)
        .map(async (t) => [t.cloudinit.snippet!, await channel!.readFile(snippetPath(t.cloudinit.snippet!, state))] as const),
    );
    snippetsRead.catch(() => undefined); // awaited below
    // The storage contents depend on nothing: they go out with the VM list, the configs after it.
    const lookups = volumeLookups(state);
    const volumesRead = Promise.all(
      lookups.map(async ([storage, content]) => [`${storage}/${content}`, (await listContent(api, storage, content)).map((c) => c.volid)] as const),
    );
    volumesRead.catch(() => undefined); // awaited below; a failure there must not go unhandled first
    const vms = await listVms(api);
    const present = state.templates.filter((t) => vms.some((v) => v.vmid === t.id));
    const [configs, volumes] = await Promise.all([Promise.all(present.map(async (t) => [t.id, await getVmConfig(api, t.id)] as const)), volumesRead]);
    return { vms, configs: Object.fromEntries(configs), volumes: Object.fromEntries(volumes), snippets: Object.fromEntries(await snippetsRead) };
  },
  diff: (state, current, options) => diffTemplates(state, current, options.prune, options),
  async apply(api, change, ctx) {
    if (change.action === 'delete') {
      const v = change.current as VmListEntry;
      await awaitTask(api, await destroyVm(api, v.vmid), `destroy template ${v.vmid}`, ctx.progress);
      return;
    }
    const d = change.desired as TemplateChangeData;
    const { spec } = d;
    if (d.placeSnippet && spec.cloudinit.snippet && spec.cloudinit.userData) {
      if (!ctx.placeFile) throw new Error(`${snippetCommand(spec, ctx.state)}, then run again`);
      ctx.progress(`  placing ${spec.cloudinit.snippet} (from ${spec.cloudinit.userData}, with ${ctx.state.ssh_keys.length} SSH key${ctx.state.ssh_keys.length === 1 ? '' : 's'})`);
      await ctx.placeFile(spec.cloudinit.snippet, renderSnippet(spec, ctx.state));
    }
    if (d.uploadAnswer && spec.install) {
      const { storage, filename } = spec.install.answer;
      ctx.progress(`  building ${filename} (autounattend.xml, debloat.ps1) and uploading it to ${storage}`);
      const upid = await uploadToStorage(api, storage, { content: 'iso', filename, data: buildAnswerMedia(spec, ctx.state) });
      await awaitTask(api, upid, `upload ${filename}`, ctx.progress);
    }
    if (d.needsImage && spec.disk.image) {
      const img = spec.disk.image;
      ctx.progress(`  downloading ${img.url} to ${img.storage}:import/${img.filename} on the host`);
      const upid = await downloadUrl(api, img.storage, {
        url: img.url,
        filename: img.filename,
        content: 'import',
        checksum: img.checksum,
        checksumAlgorithm: img.checksumAlgorithm,
      });
      await awaitTask(api, upid, `download ${img.filename}`, ctx.progress, 60 * 60_000);
    }
    if (change.action === 'create') {
      ctx.progress(`  creating VM ${spec.id} (${spec.name})${spec.disk.image ? ' and importing its disk' : ''}`);
      await awaitTask(api, await createVm(api, spec.id, d.set), `create ${spec.id}`, ctx.progress, 30 * 60_000);
    } else if (Object.keys(d.set).length) {
      await awaitTask(api, await updateVmConfig(api, spec.id, d.set, [], d.digest), `configure ${spec.id}`, ctx.progress, 30 * 60_000);
    }
    if (d.install) await runInstall(api, spec, ctx.progress);
    if (d.makeTemplate) {
      ctx.progress(`  converting ${spec.id} to a template`);
      await awaitTask(api, await convertToTemplate(api, spec.id), `template ${spec.id}`, ctx.progress);
    }
  },
  async verify(api, state) {
    return Promise.all(
      state.templates.map(async (t): Promise<Check> => {
        const name = `template ${t.id} (${t.name}) is a template with a cloud-init drive`;
        const config = await getVmConfig(api, t.id).catch((e: Error) => e);
        if (config instanceof Error) return { name, ok: false, detail: config.message };
        const drive = cloudInitDrive(config);
        const isTemplate = truthy(config.template);
        return {
          name,
          ok: isTemplate && !!drive,
          detail: `${isTemplate ? 'template' : 'not a template'}, ${drive ? `${drive}=${String(config[drive])}` : 'no cloud-init drive'}`,
        };
      }),
    );
  },
};
