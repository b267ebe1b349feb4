import { join } from 'node:path';
import { parse } from 'yaml';
import { loadDesiredState } from '../state/load';
import { genesisState, REPO_ROOT } from '../testing/desired-state';
import { exporterTargets, renderExporterTargets } from './monitoring-targets';

const CLUSTER_FILE = join(REPO_ROOT, 'infra/cluster/genesis.yaml');

describe('the exporters of every cluster node as Prometheus file_sd targets (issue 19)', () => {
  it('gives one target per node of infra/cluster/genesis.yaml, on the exporter port, labelled with the node', () => {
    const state = loadDesiredState(CLUSTER_FILE, {}, REPO_ROOT);
    expect(exporterTargets(state)).toEqual([
      { targets: ['192.168.1.11:9101'], labels: { node: 'pve1' } },
      { targets: ['192.168.1.12:9101'], labels: { node: 'pve2' } },
      { targets: ['192.168.1.13:9101'], labels: { node: 'pve3' } },
    ]);
    expect(exporterTargets(state, 9200)[2]).toEqual({ targets: ['192.168.1.13:9200'], labels: { node: 'pve3' } });
  });

  it('renders YAML that parses back to the same groups, with a header naming its source', () => {
    const state = loadDesiredState(CLUSTER_FILE, {}, REPO_ROOT);
    const text = renderExporterTargets(state, 'infra/cluster/genesis.yaml');
    expect(text.split('\n')[0]).toBe('# Rendered from infra/cluster/genesis.yaml by infra/compose/prometheus/scripts/render-node-targets.ts (npx nx run prometheus:node-targets);');
    expect(text.split('\n').slice(1, 4)).toEqual([
      '# do not edit: render again after changing nodes:.',
      '# Read by the exporters-nodes job (file_sd); Prometheus rereads it on change.',
      '- targets:',
    ]);
    expect(parse(text)).toEqual(exporterTargets(state));
  });

  it('renders an empty list for the single-node infra/genesis.yaml (the compose exporters:9101 target covers it)', () => {
    const text = renderExporterTargets(genesisState(), 'infra/genesis.yaml');
    expect(parse(text)).toEqual([]);
    expect(text).toContain('single-node');
  });

  it('puts an IPv6 endpoint in brackets and refuses a port that is not a TCP port', () => {
    const nodes = [{ name: 'pve6', endpoint: { host: 'fd00::11' } }] as never;
    expect(exporterTargets({ nodes })).toEqual([{ targets: ['[fd00::11]:9101'], labels: { node: 'pve6' } }]);
    expect(() => exporterTargets({ nodes }, 70000)).toThrow('exporter port 70000 is not a TCP port (1..65535)');
  });
});
