/** `genesis <command> [--file F] [--prune] [--allow-management-change] [--reboot] [--confirm-console]`: parsing and usage text. */
import type { NetworkCommand } from '@genesis/network';
import { STEPS, type StepName } from '../engine/registry';
import { REPLICATION_SYNC_TIMEOUT_FLAG } from '../cluster/sync-timeout';
import { parseDuration } from './duration';

export const COMMANDS = ['plan', 'provision', 'verify', ...(Object.keys(STEPS) as StepName[])] as const;
/** Commands of a cluster file only (see the usage text). */
export const CLUSTER_COMMANDS = ['drain'] as const;
/**
 * The host network's files, rendered or rehearsed in namespaces (@genesis/network's commands; no
 * host is contacted). Listed here, not imported: this module loads before @genesis/network, which
 * imports this library back (cli.spec.ts holds the two lists equal).
 */
export const NETWORK_COMMANDS = ['render', 'rehearse'] as const satisfies readonly NetworkCommand[];
const DEFAULT_RENDER_OUT = 'dist/infra';

export function isNetworkCommand(command: string): command is NetworkCommand {
  return (NETWORK_COMMANDS as readonly string[]).includes(command);
}
export type CommandName =
  (typeof COMMANDS)[number] | (typeof CLUSTER_COMMANDS)[number] | (typeof NETWORK_COMMANDS)[number];

export interface CliArgs {
  command: CommandName;
  file: string;
  prune: boolean;
  /** `--prune=NAME,…`: what --prune may delete although Genesis did not make it. */
  pruneNames: string[];
  allowManagementChange: boolean;
  /** Reboot the host when the GPU host step needs it, then verify. */
  reboot: boolean;
  /** The GPU drives the host's only console; pass it anyway. */
  confirmConsole: boolean;
  /** A cluster file: only this node (`--node pve1`; `drain NODE` names it too). */
  node?: string;
  /** A cluster file: only the cluster-wide part (membership, firewall). */
  clusterWide?: boolean;
  /** A cluster file: how long provision waits for a new replication job's first sync (`--replication-sync-timeout`). */
  replicationSyncTimeoutMs?: number;
  /** render: the folder that gets <node>/interfaces and <node>/genesis.nft. */
  out?: string;
}

export const USAGE = `usage: genesis <${[...COMMANDS, ...NETWORK_COMMANDS].join('|')}> [--file infra/genesis.yaml] [--prune[=NAME,…]] [--allow-management-change] [--reboot] [--confirm-console]

  plan        show what differs between the host and the desired state (reads only)
  provision   converge the host: storage → GPU host setup → GPU mapping → bridges → firewall → templates → VMs
  verify      check the acceptance criteria on the host; PASS/FAIL each, non-zero exit on any FAIL
  drain NODE  (cluster) live-migrate NODE's guests to the other nodes; say which cannot move and why
  render      write the host's network files to <out>/<node>/interfaces and genesis.nft (no host contacted)
  rehearse    apply that network in throw-away namespaces with ifupdown2 and nft, PASS/FAIL (root)
  ${Object.entries(STEPS)
    .map(([s, k]) => `${s.padEnd(11)} converge only: ${k.join(', ')}`)
    .join('\n  ')}

  --file F                   desired state (default infra/genesis.yaml)
  --prune                    also delete what Genesis made and the file no longer declares
  --prune=NAME[,NAME]        and these, which Genesis did not make (e.g. --prune=local-lvm)
  --allow-management-change  allow changing the bridge that carries the management address
  --reboot                   reboot the host when the GPU host step needs it, wait, and verify
  --confirm-console          pass the GPU through even though it drives the host's only console
  --node NAME                (cluster file) plan, provision or verify only this node
  --cluster-wide             (cluster file) only the cluster-wide part: membership, firewall
  --replication-sync-timeout D  (cluster file) how long provision waits for a new replication job's
                             first sync, e.g. 90s, 10m, 1h (default 10m; or GENESIS_REPLICATION_SYNC_TIMEOUT)
  --out DIR                  (render) where the files go (default ${DEFAULT_RENDER_OUT})
  --version                  print the version and exit

Without PVE_HOST the embedded Proxmox simulator is used (state in .genesis/sim/state.json, its
host's files in .genesis/sim/host). With PVE_HOST the host steps go over ssh to PVE_SSH (default
root@$PVE_HOST; ~/.ssh/config, agent and known_hosts apply), or run here with GENESIS_HOST=local.
PVE_TRACE=file appends one JSON line per API request. A cluster file (cluster:, nodes:) talks to
every node's endpoint with PVE_TOKEN_ID/PVE_TOKEN_SECRET and each node's pinned certificate
(nodes[].endpoint.fingerprint or PVE_FINGERPRINT_<NODE>); joins need GENESIS_CLUSTER_PASSWORD.`;

export class UsageError extends Error {
  constructor(message: string) {
    super(`${message}\n\n${USAGE}`);
    this.name = 'UsageError';
  }
}

export function parseArgs(argv: string[]): CliArgs {
  const args: CliArgs = {
    command: 'plan',
    file: 'infra/genesis.yaml',
    prune: false,
    pruneNames: [],
    allowManagementChange: false,
    reboot: false,
    confirmConsole: false,
  };
  let command: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--prune') args.prune = true;
    else if (a.startsWith('--prune=')) {
      const names = a.slice('--prune='.length).split(',').filter(Boolean);
      if (!names.length) throw new UsageError('--prune= needs a name, e.g. --prune=local-lvm');
      args.prune = true;
      args.pruneNames.push(...names);
    } else if (a === '--allow-management-change') args.allowManagementChange = true;
    else if (a === '--reboot') args.reboot = true;
    else if (a === '--confirm-console') args.confirmConsole = true;
    else if (a === '--cluster-wide') args.clusterWide = true;
    else if (a === '--node' || a.startsWith('--node=')) {
      const v = a === '--node' ? argv[++i] : a.slice('--node='.length);
      if (!v) throw new UsageError('--node needs a node name, e.g. --node pve1');
      args.node = v;
    } else if (a === REPLICATION_SYNC_TIMEOUT_FLAG || a.startsWith(`${REPLICATION_SYNC_TIMEOUT_FLAG}=`)) {
      const v =
        a === REPLICATION_SYNC_TIMEOUT_FLAG ? argv[++i] : a.slice(REPLICATION_SYNC_TIMEOUT_FLAG.length + 1);
      try {
        args.replicationSyncTimeoutMs = parseDuration(v ?? '', REPLICATION_SYNC_TIMEOUT_FLAG);
      } catch (e) {
        throw new UsageError((e as Error).message);
      }
    } else if (a === '--out' || a.startsWith('--out=')) {
      const v = a === '--out' ? argv[++i] : a.slice('--out='.length);
      if (!v) throw new UsageError(`--out needs a folder, e.g. --out ${DEFAULT_RENDER_OUT}`);
      args.out = v;
    } else if (a === '--file' || a === '-f') {
      const v = argv[++i];
      if (!v) throw new UsageError('--file needs a path, e.g. --file infra/genesis.yaml');
      args.file = v;
    } else if (a.startsWith('--file=')) args.file = a.slice('--file='.length);
    else if (a.startsWith('-')) throw new UsageError(`unknown option ${a}`);
    else if (command === 'drain' && !args.node) args.node = a;
    else if (command) throw new UsageError(`one command at a time (got ${command} and ${a})`);
    else command = a;
  }
  if (!command) throw new UsageError('no command given');
  if (![...COMMANDS, ...CLUSTER_COMMANDS, ...NETWORK_COMMANDS].includes(command as CommandName))
    throw new UsageError(`unknown command "${command}"`);
  args.command = command as CommandName;
  if (command === 'drain' && !args.node)
    throw new UsageError('drain needs the node to empty, e.g. drain pve2');
  if (args.out !== undefined && command !== 'render')
    throw new UsageError('--out is an option of render only');
  if (args.node && args.clusterWide)
    throw new UsageError('--node and --cluster-wide exclude each other: one node, or the cluster-wide part');
  return args;
}
