/** `genesis <command> [--file F] [--prune] [--allow-management-change]`: parsing and usage text. */
import { STEPS, type StepName } from '../engine/registry';

export const COMMANDS = ['plan', 'provision', 'verify', ...(Object.keys(STEPS) as StepName[])] as const;
export type CommandName = (typeof COMMANDS)[number];

export interface CliArgs {
  command: CommandName;
  file: string;
  prune: boolean;
  allowManagementChange: boolean;
}

export const USAGE = `usage: genesis <${COMMANDS.join('|')}> [--file infra/genesis.yaml] [--prune] [--allow-management-change]

  plan        show what differs between the host and the desired state (reads only)
  provision   converge the host: storage → GPU mapping → bridges → firewall → templates → VMs
  verify      check the acceptance criteria on the host; PASS/FAIL each, non-zero exit on any FAIL
  ${Object.entries(STEPS).map(([s, k]) => `${s.padEnd(11)} converge only: ${k.join(', ')}`).join('\n  ')}

  --file F                   desired state (default infra/genesis.yaml)
  --prune                    also delete what the host has but the file does not declare
  --allow-management-change  allow changing the bridge that carries the management address

Without PVE_HOST the embedded Proxmox simulator is used (state in .genesis/sim/state.json).
PVE_TRACE=file appends one JSON line per API request.`;

export class UsageError extends Error {
  constructor(message: string) {
    super(`${message}\n\n${USAGE}`);
    this.name = 'UsageError';
  }
}

export function parseArgs(argv: string[]): CliArgs {
  const args: CliArgs = { command: 'plan', file: 'infra/genesis.yaml', prune: false, allowManagementChange: false };
  let command: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--prune') args.prune = true;
    else if (a === '--allow-management-change') args.allowManagementChange = true;
    else if (a === '--file' || a === '-f') {
      const v = argv[++i];
      if (!v) throw new UsageError('--file needs a path, e.g. --file infra/genesis.yaml');
      args.file = v;
    } else if (a.startsWith('--file=')) args.file = a.slice('--file='.length);
    else if (a.startsWith('-')) throw new UsageError(`unknown option ${a}`);
    else if (command) throw new UsageError(`one command at a time (got ${command} and ${a})`);
    else command = a;
  }
  if (!command) throw new UsageError('no command given');
  if (!(COMMANDS as readonly string[]).includes(command)) throw new UsageError(`unknown command "${command}"`);
  args.command = command as CommandName;
  return args;
}
