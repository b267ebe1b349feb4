import { defaultSteps, inferGenesisTargets, normalizePluginOptions } from './infer-targets';

describe('inferGenesisTargets', () => {
  const repoOptions = normalizePluginOptions({
    engine: 'node -r @swc-node/register libs/proxmox/src/cli/main.ts',
    network: 'node -r @swc-node/register libs/network/src/cli/main.ts',
  });

  it('gives plan, provision, verify, one target per step and the network targets, none cached', () => {
    const targets = inferGenesisTargets('infra/genesis.yaml', 'infra', repoOptions);
    expect(Object.keys(targets)).toEqual([
      'plan',
      ...defaultSteps,
      'provision',
      'render',
      'rehearse',
      'verify',
    ]);
    for (const [name, target] of Object.entries(targets)) {
      expect([name, target.executor, target.cache]).toEqual([name, 'nx:run-commands', false]);
      expect(target.metadata?.description).toBeTruthy();
    }
    expect(targets.firewall.options.command).toBe(
      'node -r @swc-node/register libs/proxmox/src/cli/main.ts firewall --file infra/genesis.yaml',
    );
    expect(targets.render.options.command).toBe(
      'node -r @swc-node/register libs/network/src/cli/main.ts render --file infra/genesis.yaml --out dist/infra',
    );
  });

  it('runs provision as one process that depends on no step target; each step runs alone', () => {
    const targets = inferGenesisTargets('infra/genesis.yaml', 'infra', repoOptions);
    expect(targets.provision.options.command).toBe(
      'node -r @swc-node/register libs/proxmox/src/cli/main.ts provision --file infra/genesis.yaml',
    );
    for (const target of Object.values(targets)) expect(target.dependsOn).toBeUndefined();
  });

  it('gives render and rehearse the engine\'s dependencies when the engine runs them', () => {
    const needs = [{ projects: ['proxmox'], target: 'build-cli' }];
    const byEngine = inferGenesisTargets('infra/genesis.yaml', 'infra', normalizePluginOptions({ engineDependsOn: needs }));
    expect(byEngine.render.dependsOn).toEqual(needs);
    expect(byEngine.rehearse.dependsOn).toEqual(needs);
    const bySecondCli = inferGenesisTargets(
      'infra/genesis.yaml',
      'infra',
      normalizePluginOptions({ engineDependsOn: needs, network: 'node net.js' }),
    );
    expect(bySecondCli.render.dependsOn).toBeUndefined();
  });

  it('uses the installed `genesis` bin by default, for the network steps too, and the steps given', () => {
    const targets = inferGenesisTargets(
      'ops/site/genesis.yaml',
      'ops/site',
      normalizePluginOptions({ steps: ['storage', 'answer'] }),
    );
    expect(Object.keys(targets)).toEqual([
      'plan',
      'storage',
      'answer',
      'provision',
      'render',
      'rehearse',
      'verify',
    ]);
    expect(targets.answer.options.command).toBe('node_modules/.bin/genesis answer --file ops/site/genesis.yaml');
    expect(targets.rehearse.options.command).toBe('node_modules/.bin/genesis rehearse --file ops/site/genesis.yaml');
    expect(targets.render.options.command).toContain('--out dist/ops/site');
  });

  it('refuses a step name that is not one, naming the nx.json field', () => {
    expect(() => normalizePluginOptions({ steps: ['Storage'] })).toThrow(
      /nx.json plugins\["@genesis\/repo"\].options.steps: "Storage" is not a step name/,
    );
    expect(() => normalizePluginOptions({ steps: ['provision'] })).toThrow(/"provision" is not a step name/);
  });
});
