/**
 * `render` writes dist/infra/<node>/{interfaces,genesis.nft}; `rehearse` proves them in network
 * namespaces and exits non-zero unless every expectation passes (it needs root). The engine's
 * `genesis render|rehearse` runs the same commands (commands.ts); this entry serves the sources.
 *   node -r @swc-node/register libs/network/src/cli/main.ts render|rehearse --file infra/genesis.yaml [--out dist/infra]
 */
import { DesiredStateError, loadDesiredState } from '@genesis/proxmox';
import { DEFAULT_RENDER_OUT, NETWORK_COMMANDS, runNetworkCommand, type NetworkCommand } from './commands';

function option(args: string[], name: string, fallback: string): string {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? args[i + 1] : fallback;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  const file = option(args, '--file', 'infra/genesis.yaml');
  if (!NETWORK_COMMANDS.includes(command as NetworkCommand)) {
    process.stderr.write(`usage: main.ts render|rehearse --file infra/genesis.yaml [--out ${DEFAULT_RENDER_OUT}]\n`);
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
  const io = { out: (line: string) => process.stdout.write(`${line}\n`), err: (line: string) => process.stderr.write(`${line}\n`) };
  return runNetworkCommand(command as NetworkCommand, spec, io, { out: option(args, '--out', DEFAULT_RENDER_OUT) });
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
