import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { parse } from 'yaml';
import { addVm } from './generator';

const genesis = readFileSync(join(__dirname, '../../../../../infra/genesis.yaml'), 'utf-8');

function tree() {
  const t = createTreeWithEmptyWorkspace();
  t.write('infra/genesis.yaml', genesis);
  return t;
}

describe('vm generator', () => {
  it('adds a linked clone of the template with the lowest free id, keeping every other line and comment', () => {
    const t = tree();
    expect(addVm(t, { name: 'worker1', template: 'ubuntu-ai', bridge: 'vmbr1' })).toEqual({ id: 101 });
    const text = t.read('infra/genesis.yaml', 'utf-8') ?? '';
    const doc = parse(text) as { vms: Record<string, unknown>[] };
    expect(doc.vms.at(-1)).toEqual({ id: 101, name: 'worker1', template: 9000, bridge: 'vmbr1', clone: 'linked' });
    // only lines were added: the original text is the output minus the new entry
    expect(text.replace(/ {2}- id: 101\n {4}name: worker1\n {4}template: 9000\n {4}bridge: vmbr1\n {4}clone: linked\n/, '')).toBe(genesis);

    expect(addVm(t, { name: 'worker2', template: '9000', bridge: 'vmbr2' })).toEqual({ id: 102 });
  });

  it('creates vms: when the file has none', () => {
    const t = tree();
    t.write('infra/genesis.yaml', genesis.slice(0, genesis.indexOf('\nvms:\n') + 1));
    expect(addVm(t, { name: 'first', template: 'win10-trading', bridge: 'vmbr2' })).toEqual({ id: 100 });
    expect((parse(t.read('infra/genesis.yaml', 'utf-8') ?? '') as { vms: unknown[] }).vms).toEqual([
      { id: 100, name: 'first', template: 9001, bridge: 'vmbr2', clone: 'linked' },
    ]);
  });

  it('refuses an unknown template, an undeclared bridge, a taken name or id, and writes nothing', () => {
    const t = tree();
    expect(() => addVm(t, { name: 'x1', template: 'ubuntu', bridge: 'vmbr1' })).toThrow(/unknown template "ubuntu"; use one of: ubuntu-ai \(9000\), win10-trading \(9001\)/);
    expect(() => addVm(t, { name: 'x1', template: 'ubuntu-ai', bridge: 'vmbr9' })).toThrow(/bridge "vmbr9" is not declared/);
    expect(() => addVm(t, { name: 'brain', template: 'ubuntu-ai', bridge: 'vmbr1' })).toThrow(/a VM named "brain" exists already/);
    expect(() => addVm(t, { name: 'x1', template: 'ubuntu-ai', bridge: 'vmbr1', id: 9000 })).toThrow(/VM id 9000 is taken/);
    expect(() => addVm(t, { name: 'bad_name', template: 'ubuntu-ai', bridge: 'vmbr1' })).toThrow(/not a valid VM name/);
    expect(t.read('infra/genesis.yaml', 'utf-8')).toBe(genesis);
  });
});
