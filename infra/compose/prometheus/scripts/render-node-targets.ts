/**
 * `npx nx run prometheus:node-targets`: writes targets/exporters-nodes.yml (file_sd for the
 * exporters-nodes job) from genesis.yaml's `nodes:`, one target per node labelled `node`.
 *
 *   node -r @swc-node/register infra/compose/prometheus/scripts/render-node-targets.ts \
 *     [--file infra/genesis.yaml] [--out infra/compose/prometheus/targets/exporters-nodes.yml] [--port 9101] [--check]
 *
 * --check writes nothing and exits 1 when the file on disk differs from what genesis.yaml renders.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { DesiredStateError, loadDesiredState, renderExporterTargets } from '@genesis/proxmox';

const ROOT = resolve(__dirname, '../../../..');

/** `--name value` or `--name=value` (the form nx run-commands forwards). */
function option(argv: string[], name: string, fallback: string): string {
  const joined = argv.find((a) => a.startsWith(`${name}=`));
  if (joined) return joined.slice(name.length + 1);
  const i = argv.indexOf(name);
  if (i < 0) return fallback;
  const value = argv[i + 1];
  if (value === undefined || value.startsWith('--')) throw new Error(`${name} needs a value`);
  return value;
}

export function main(argv: string[], cwd = process.cwd()): number {
  try {
    const file = option(argv, '--file', resolve(ROOT, 'infra/genesis.yaml'));
    const out = resolve(cwd, option(argv, '--out', resolve(ROOT, 'infra/compose/prometheus/targets/exporters-nodes.yml')));
    const portText = option(argv, '--port', '9101');
    if (!/^\d+$/.test(portText)) throw new Error(`--port ${portText} is not a number`);
    const state = loadDesiredState(file, process.env, cwd);
    const text = renderExporterTargets(state, relative(ROOT, resolve(cwd, file)) || file, Number(portText));
    const shown = relative(cwd, out) || out;
    if (argv.includes('--check')) {
      let current = '';
      try {
        current = readFileSync(out, 'utf8');
      } catch {
        /* missing: differs */
      }
      if (current === text) return 0;
      process.stderr.write(`${shown} is not what ${file} renders; run: npx nx run prometheus:node-targets --file=${file} --out=${shown}\n`);
      return 1;
    }
    writeFileSync(out, text);
    process.stdout.write(`wrote ${shown} (${(state.nodes ?? []).length} node(s))\n`);
    return 0;
  } catch (e) {
    process.stderr.write(`${e instanceof DesiredStateError ? e.message : `render-node-targets: ${(e as Error).message}`}\n`);
    return 1;
  }
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
