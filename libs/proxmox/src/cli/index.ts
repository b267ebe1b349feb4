export { runCli, type CliIo } from './run';
export { parseArgs, USAGE, COMMANDS, NETWORK_COMMANDS, type CliArgs, type CommandName } from './args';
export { repoRoot, SIM_STATE_FILE } from './connect';
