export { prepareHostRoot, defaultDriver, SIM_KERNEL } from './layout';
export { renderLspciNnk, simulatedHostCommands, type ShellResult } from './commands';
export { guestNvidiaSmi } from './guest';
export { SimulatedHostChannel, INTERFACES_PATH } from './channel';
export { networkHostCommand, nftTables } from './network';
