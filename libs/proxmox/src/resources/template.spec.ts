import { diffTemplates, type TemplateCurrent } from './template';
import { templateConfig } from './vm-config';
import { renderSnippet } from './template-media';

const OTHER_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB7nH1cZz3Y8Qe1nUeq2r6n4tCkQk0mJm0Vd8x2bq6Qf other@laptop';
import { genesisState } from '../testing/desired-state';

const state = genesisState();
const IMAGE = 'local:import/ubuntu-22.04-server-cloudimg-amd64-20240319.qcow2';
const SNIPPET = 'local:snippets/genesis-ubuntu-ai.yaml';
const ISOS = ['local:iso/Win10_LTSC_2021_x64.iso', 'local:iso/virtio-win.iso'];
const empty: TemplateCurrent = { vms: [], configs: {}, volumes: { 'local/import': [], 'local/snippets': [], 'local/iso': ISOS } };

function hostConfig(id: number, template: boolean) {
  const spec = state.templates.find((t) => t.id === id)!;
  const c: Record<string, string | number> = { ...templateConfig(spec), digest: `d${id}` };
  c.scsi0 = `tank:${template ? 'base' : 'vm'}-${id}-disk-0,discard=on,iothread=1,size=2252M,ssd=1`;
  c.ide2 = `tank:vm-${id}-cloudinit,media=cdrom`;
  if (c.efidisk0) c.efidisk0 = `tank:vm-${id}-disk-1,efitype=4m,pre-enrolled-keys=1,size=1M`;
  if (c.tpmstate0) c.tpmstate0 = `tank:vm-${id}-disk-2,size=4M,version=v2.0`;
  if (template) c.template = 1;
  return c;
}

describe('template diff', () => {
  it('on an empty host: downloads the cloud image, creates both templates with a cloud-init drive', () => {
    const changes = diffTemplates(state, empty, false);
    expect(changes.map((c) => [c.id, c.action])).toEqual([
      ['template 9000 (Template-Ubuntu-AI)', 'create'],
      ['template 9001 (Template-Win10-Trading)', 'create'],
    ]);
    const ubuntu = Object.fromEntries(changes[0].fields.map((f) => [f.field, f.to]));
    expect(ubuntu.download).toContain(`→ ${IMAGE}`);
    expect(ubuntu).toMatchObject({
      scsi0: `tank:0,import-from=${IMAGE},discard=on,iothread=1,ssd=1`,
      ide2: 'tank:cloudinit',
      cicustom: `user=${SNIPPET}`,
      machine: 'q35',
      template: true,
    });
    const win = Object.fromEntries(changes[1].fields.map((f) => [f.field, f.to]));
    expect(win).toMatchObject({ bios: 'ovmf', ostype: 'win10', efidisk0: 'tank:1,efitype=4m,pre-enrolled-keys=1', tpmstate0: 'tank:1,version=v2.0', scsi0: 'tank:64,discard=on,iothread=1,ssd=1' });
    expect(changes[0].fields[0]).toEqual({ field: 'snippet', to: `${SNIPPET} from infra/cloud-init/ubuntu-ai.yaml` });
    expect(changes[0].notes).toEqual([
      'the PVE API cannot upload snippets: provision writes /var/lib/vz/snippets/genesis-ubuntu-ai.yaml through the host channel',
    ]);
  });

  it('Windows: uploads the answer ISO it builds, boots Setup from the three CDs, waits for the agent, then converts', () => {
    const [, win] = diffTemplates(state, empty, false);
    expect(win.problems).toEqual([]);
    const fields = Object.fromEntries(win.fields.map((f) => [f.field, f.to]));
    expect(fields).toMatchObject({
      upload: 'local:iso/genesis-win10-unattend.iso (autounattend.xml + debloat.ps1, built here)',
      ide0: 'local:iso/Win10_LTSC_2021_x64.iso,media=cdrom',
      ide1: 'local:iso/virtio-win.iso,media=cdrom',
      ide3: 'local:iso/genesis-win10-unattend.iso,media=cdrom',
      boot: 'order=scsi0;ide0',
      install: 'unattended, then wait for the guest agent (at most 120 min), shut down, detach the media',
    });
    expect(win.desired).toMatchObject({ uploadAnswer: true, install: true });
    // Once the answer ISO is on storage it is not built again.
    const [, again] = diffTemplates(state, { ...empty, volumes: { ...empty.volumes, 'local/iso': [...ISOS, 'local:iso/genesis-win10-unattend.iso'] } }, false);
    expect(again.fields.some((f) => f.field === 'upload')).toBe(false);
  });

  it('refuses a missing SSH key or Windows password at plan time, naming the line and the variable', () => {
    const bare = genesisState({});
    const [ubuntu, win] = diffTemplates(bare, empty, false);
    expect(ubuntu.problems).toEqual([expect.stringMatching(/^infra\/genesis\.yaml:\d+: ssh_keys: no SSH key for the guests; .*Export GENESIS_SSH_KEY=/)]);
    expect(win.problems).toEqual([expect.stringMatching(/^infra\/genesis\.yaml:\d+: templates\[1\]\.install\.unattend\.password: is shorter than 8 characters; export GENESIS_WIN_PASSWORD=/)]);
  });

  it('does not download an image the host already has', () => {
    const changes = diffTemplates(state, { ...empty, volumes: { 'local/import': [IMAGE], 'local/snippets': [SNIPPET] } }, false);
    expect(changes[0].fields.some((f) => f.field === 'download')).toBe(false);
    expect(changes[0].notes).toEqual([]);
  });

  it('resumes a VM created but not yet converted: only `template` changes', () => {
    const current: TemplateCurrent = {
      vms: [{ vmid: 9000, status: 'stopped' }],
      configs: { 9000: hostConfig(9000, false) },
      volumes: { 'local/import': [IMAGE], 'local/snippets': [SNIPPET] },
    };
    const [ubuntu] = diffTemplates(state, current, false);
    expect(ubuntu).toMatchObject({ action: 'update', fields: [{ field: 'template', from: false, to: true }] });
  });

  it('is unchanged for converged templates, and updates a changed memory size', () => {
    const current: TemplateCurrent = {
      vms: [{ vmid: 9000, status: 'stopped', template: 1 }, { vmid: 9001, status: 'stopped', template: 1 }],
      configs: { 9000: hostConfig(9000, true), 9001: { ...hostConfig(9001, true), memory: 4096 } },
      volumes: { 'local/import': [IMAGE], 'local/snippets': [SNIPPET] },
    };
    const [ubuntu, win] = diffTemplates(state, current, false);
    expect(ubuntu.action).toBe('unchanged');
    expect(win).toMatchObject({ action: 'update', fields: [{ field: 'memory', from: 4096, to: 8192 }] });
  });

  it('rewrites a snippet whose text on the host is not the rendered user-data (a key was added), and leaves a current one alone', () => {
    const base: TemplateCurrent = {
      vms: [{ vmid: 9000, status: 'stopped', template: 1 }],
      configs: { 9000: hostConfig(9000, true) },
      volumes: { 'local/import': [IMAGE], 'local/snippets': [SNIPPET] },
    };
    const [stale] = diffTemplates(state, { ...base, snippets: { [SNIPPET]: renderSnippet(state.templates[0], genesisState({ GENESIS_SSH_KEY: OTHER_KEY, GENESIS_WIN_PASSWORD: 'x'.repeat(8) })) } }, false);
    expect(stale).toMatchObject({ action: 'update', fields: [{ field: 'snippet', from: 'differs from the rendered user-data' }], desired: { placeSnippet: true, makeTemplate: false } });
    const [current] = diffTemplates(state, { ...base, snippets: { [SNIPPET]: renderSnippet(state.templates[0], state) } }, false);
    expect(current.action).toBe('unchanged');
  });

  it('refuses to change a template disk', () => {
    const current: TemplateCurrent = {
      vms: [{ vmid: 9000, status: 'stopped', template: 1 }],
      configs: { 9000: { ...hostConfig(9000, true), scsi0: 'local-lvm:base-9000-disk-0,size=2G' } },
      volumes: { 'local/import': [IMAGE], 'local/snippets': [SNIPPET] },
    };
    expect(diffTemplates(state, current, false)[0].problems?.[0]).toContain("a template's disks cannot change");
  });
});
