export { prepareHostRoot, defaultDriver, SIM_KERNEL } from './layout';
export { renderLspciNnk, simulatedHostCommands, type ShellResult } from './commands';
export { guestNvidiaSmi } from './guest';
