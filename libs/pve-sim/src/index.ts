// @genesis/pve-sim: a stateful, schema-validated Proxmox VE 9.1 / 8.4 API simulator over HTTPS.
export {
  startSimulator,
  type RunningSimulator,
  type SimulatorOptions,
  type SimulatorState,
} from './server/simulator';
export { type FaultRule, parseFaultSpec } from './server/faults';
export { TOKEN_IDS, type SimulatorToken, type SimulatorTokens } from './server/auth';
export type { GuestExecHook, GuestExecResult, HostBehaviour } from './model/host';
export {
  DEFAULT_DISKS,
  DEFAULT_MANAGEMENT,
  DEFAULT_PCI,
  type DiskInfo,
  type ManagementNetwork,
  type PciDevice,
  type SimState,
} from './model/state';
export { defaultSchemaPath, loadApiSchema } from './schema';
export {
  DEFAULT_PVE_VERSION,
  PVE_RELEASES,
  PVE_VERSIONS,
  parsePveVersion,
  type PveRelease,
  type PveVersion,
} from './model/release';
export { prepareHostRoot, simulatedHostCommands, guestNvidiaSmi, renderLspciNnk, SIM_KERNEL, SimulatedHostChannel } from './host-shell';
export { interfacesFileText, readInterfaceOptions, renderInterfaces } from './model/network';
export type { NetworkInterface } from './model/state';
export { startSimCluster, SimCluster, NO_QUORUM, type RunningSimCluster, type SimClusterOptions, type ClusterFs } from './cluster';
