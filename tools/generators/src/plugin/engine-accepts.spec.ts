// Every command an inferred target runs is one the `genesis` bin accepts: the targets of a
// single-node genesis.yaml and of a cluster file (and its node projects), with the plugin's default
// options (what a user's workspace gets), parsed by the engine's own argument parser. The parser is
// loaded from libs/proxmox by path (a test-only reach into the engine; the generators' test target
// lists those sources as inputs), so a target naming a command the CLI lacks fails here.
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { CreateNodesContextV2, TargetConfiguration } from '@nx/devkit';
import { tempDir } from '../testing/tree';
import { createNodesV2 } from './create-nodes';
import { defaultEngine } from './infer-targets';

const checkoutRoot = resolve(__dirname, '..', '..', '..', '..');
const engineArgs = join(checkoutRoot, 'libs/proxmox/src/cli/args');

interface EngineArgsModule {
  parseArgs: (argv: string[]) => { command: string };
  COMMANDS: readonly string[];
  NETWORK_COMMANDS: readonly string[];
}

/** What the user appends to a target, as its description says (`nx run <project>:drain -- <node>`). */
const appendedByUser: Record<string, string[]> = { drain: ['pve2'] };

jest.setTimeout(30_000);

describe('the inferred targets run commands the genesis bin accepts', () => {
  let workspace: ReturnType<typeof tempDir>;
  let targets: Array<[string, TargetConfiguration]>;
  let engine: EngineArgsModule;

  beforeAll(async () => {
    engine = jest.requireActual<EngineArgsModule>(engineArgs);
    workspace = tempDir('genesis-engine-accepts-');
    for (const root of ['site', 'hive']) {
      mkdirSync(join(workspace.dir, root), { recursive: true });
      writeFileSync(join(workspace.dir, root, 'project.json'), JSON.stringify({ name: root }));
    }
    copyFileSync(join(checkoutRoot, 'infra/genesis.yaml'), join(workspace.dir, 'site/genesis.yaml'));
    copyFileSync(join(checkoutRoot, 'infra/cluster/genesis.yaml'), join(workspace.dir, 'hive/genesis.yaml'));
    const [, createNodes] = createNodesV2;
    const context: CreateNodesContextV2 = { nxJsonConfiguration: {}, workspaceRoot: workspace.dir };
    const results = await createNodes(['site/genesis.yaml', 'hive/genesis.yaml'], {}, context);
    targets = results.flatMap(([, result]) =>
      Object.entries(result.projects ?? {}).flatMap(([root, project]) =>
        Object.entries(project.targets ?? {}).map(([name, t]): [string, TargetConfiguration] => [`${root}:${name}`, t]),
      ),
    );
  });
  afterAll(() => workspace.remove());

  it('infers the single-node and cluster targets, node projects included', () => {
    const names = targets.map(([name]) => name);
    for (const expected of ['site:plan', 'site:provision', 'site:render', 'site:rehearse', 'hive:drain']) {
      expect(names).toContain(expected);
    }
    expect(names.some((n) => n.startsWith('hive/nodes/pve1:'))).toBe(true);
  });

  it('every target runs the installed genesis bin with arguments its parser accepts', () => {
    const refused: string[] = [];
    for (const [name, target] of targets) {
      const command: string = target.options.command;
      expect([name, command.startsWith(`${defaultEngine} `)]).toEqual([name, true]);
      const argv = [...command.slice(defaultEngine.length + 1).split(/\s+/), ...(appendedByUser[name.split(':')[1]] ?? [])];
      try {
        engine.parseArgs(argv);
      } catch (e) {
        refused.push(`${name}: ${command}\n  ${(e as Error).message.split('\n')[0]}`);
      }
    }
    expect(refused).toEqual([]);
  });

  it('render and rehearse are the engine\'s own commands (not a second CLI)', () => {
    expect(engine.NETWORK_COMMANDS).toEqual(['render', 'rehearse']);
    const site = Object.fromEntries(targets.filter(([n]) => n.startsWith('site:')));
    expect(site['site:render'].options.command).toBe(
      `${defaultEngine} render --file site/genesis.yaml --out dist/site`,
    );
    expect(engine.parseArgs(['render', '--file', 'site/genesis.yaml', '--out', 'dist/site']).command).toBe('render');
  });

  it('a command the engine lacks is refused by the same parser (the check can fail)', () => {
    expect(() => engine.parseArgs(['compose', '--file', 'site/genesis.yaml'])).toThrow(/unknown command "compose"/);
  });
});
