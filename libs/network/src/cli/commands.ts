/**
 * The network commands over a loaded desired state, shared by this library's own CLI (main.ts) and
 * the engine's `genesis render|rehearse` (the inferred `infra:render` and `infra:rehearse` targets):
 * `render` writes <out>/<node>/{interfaces,genesis.nft}; `rehearse` proves them in network
 * namespaces (root) and returns non-zero unless every expectation passes.
 */
import { resolve } from 'node:path';
import { writeRendered } from '../render';
import { formatMatrix, rehearse } from '../rehearsal/rehearse';
import type { Topology } from '../rehearsal/topology';
import type { NetworkSpec } from '../roles';

export const NETWORK_COMMANDS = ['render', 'rehearse'] as const;
export type NetworkCommand = (typeof NETWORK_COMMANDS)[number];
/** Where `render` writes when no `--out` is given (the inferred target passes dist/<project root>). */
export const DEFAULT_RENDER_OUT = 'dist/infra';

export interface NetworkCommandIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

export interface NetworkCommandOptions {
  /** render: the folder that gets <node>/interfaces and <node>/genesis.nft. */
  out?: string;
  /** The genesis.yaml the spec came from (named in the rendered files' headers). */
  source?: string;
}

export async function runNetworkCommand(
  command: NetworkCommand,
  spec: NetworkSpec & { source?: { file: string } },
  io: NetworkCommandIo,
  options: NetworkCommandOptions = {},
): Promise<number> {
  if (command === 'render') {
    const paths = writeRendered(spec, resolve(options.out ?? DEFAULT_RENDER_OUT), options.source ?? spec.source?.file);
    io.out(`wrote ${paths.interfaces}`);
    io.out(`wrote ${paths.policy}`);
    return 0;
  }
  if (process.getuid?.() !== 0) {
    io.err('rehearse needs root (network namespaces, ifupdown2, nft); run it as root or in CI');
    return 1;
  }
  let topology: Topology | undefined;
  const stop = (signal: NodeJS.Signals) => {
    io.err(`${signal}: removing the rehearsal's namespaces`);
    void (topology?.cleanup() ?? Promise.resolve()).then(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    const result = await rehearse(spec, {
      log: io.out,
      onTopology: (t) => {
        topology = t;
        io.out(`rehearsal ${t.prefix}: namespaces ${t.prefix}-*`);
      },
    });
    io.out(`\n${formatMatrix(result)}`);
    return result.ok ? 0 : 1;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
