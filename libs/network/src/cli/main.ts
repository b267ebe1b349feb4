/**
 * `render` writes dist/infra/<node>/{interfaces,genesis.nft}; `rehearse` proves them in network
 * namespaces and exits non-zero unless every expectation passes (it needs root).
 *   node -r @swc-node/register libs/network/src/cli/main.ts render|rehearse --file infra/genesis.yaml [--out dist/infra]
 */
import { resolve } from 'node:path';
import { DesiredStateError, loadDesiredState } from '@genesis/proxmox';
import { writeRendered } from '../render';
import { formatMatrix, rehearse } from '../rehearsal/rehearse';
import type { Topology } from '../rehearsal/topology';

function option(args: string[], name: string, fallback: string): string {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? args[i + 1] : fallback;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  const file = option(args, '--file', 'infra/genesis.yaml');
  if (command !== 'render' && command !== 'rehearse') {
    process.stderr.write('usage: main.ts render|rehearse --file infra/genesis.yaml [--out dist/infra]\n');
    return 2;
  }
  let spec;
  try {
    spec = loadDesiredState(file);
  } catch (e) {
    if (e instanceof DesiredStateError) {
      process.stderr.write(`${e.message}\n`);
      return 1;
    }
    throw e;
  }
  if (command === 'render') {
    const paths = writeRendered(spec, resolve(option(args, '--out', 'dist/infra')), spec.source.file);
    process.stdout.write(`wrote ${paths.interfaces}\nwrote ${paths.policy}\n`);
    return 0;
  }
  if (process.getuid?.() !== 0) {
    process.stderr.write('rehearse needs root (network namespaces, ifupdown2, nft); run it as root or in CI\n');
    return 1;
  }
  let topology: Topology | undefined;
  const stop = (signal: NodeJS.Signals) => {
    process.stderr.write(`${signal}: removing the rehearsal's namespaces\n`);
    void (topology?.cleanup() ?? Promise.resolve()).then(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const result = await rehearse(spec, {
    log: (line) => process.stdout.write(`${line}\n`),
    onTopology: (t) => {
      topology = t;
      process.stdout.write(`rehearsal ${t.prefix}: namespaces ${t.prefix}-*\n`);
    },
  });
  process.stdout.write(`\n${formatMatrix(result)}\n`);
  return result.ok ? 0 : 1;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: Error) => {
      process.stderr.write(`${e.message}\n`);
      process.exit(1);
    },
  );
}
