/**
 * Monitoring follows the cluster (issue 19): the exporters of every node in genesis.yaml as a
 * Prometheus file_sd target file (https://prometheus.io/docs/guide/file-sd/), one group per node
 * with a `node` label, read by the `exporters-nodes` job in infra/compose/prometheus/prometheus.yml.
 * A single-node file renders an empty list: that host is the compose `exporters:9101` target.
 */
import { stringify } from 'yaml';
import type { DesiredSpec } from '../state/schema';

/** The exporters' port (apps/exporters, EXPORTERS_PORT's default; the compose target uses it too). */
export const EXPORTER_PORT = 9101;

export interface ExporterTargetGroup {
  targets: string[];
  labels: { node: string };
}

/** host:port, with an IPv6 address in brackets. */
function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** One target group per node under `nodes:` (its endpoint host, the exporter port), labelled with the node's name. */
export function exporterTargets(spec: Pick<DesiredSpec, 'nodes'>, port = EXPORTER_PORT): ExporterTargetGroup[] {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`exporter port ${port} is not a TCP port (1..65535)`);
  return (spec.nodes ?? []).map((n) => ({ targets: [hostPort(n.endpoint.host, port)], labels: { node: n.name } }));
}

/** The target file's text: a header naming its source, then the groups (or `[]` for a single-node file). */
export function renderExporterTargets(spec: Pick<DesiredSpec, 'nodes'>, source: string, port = EXPORTER_PORT): string {
  const groups = exporterTargets(spec, port);
  const header = [
    `# Rendered from ${source} by infra/compose/prometheus/scripts/render-node-targets.ts (npx nx run prometheus:node-targets);`,
    '# do not edit: render again after changing nodes:.',
    groups.length
      ? '# Read by the exporters-nodes job (file_sd); Prometheus rereads it on change.'
      : '# A single-node file: no cluster nodes, the compose exporters:9101 target is the host.',
  ];
  return `${header.join('\n')}\n${groups.length ? stringify(groups, { flow: false }) : '[]\n'}`;
}
