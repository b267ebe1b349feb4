// @genesis/network: the host's /etc/network/interfaces and forwarding policy, rendered from the
// desired state, and the rehearsal that proves them in network namespaces.
export { networkRoles, type NetworkRoles, type NetworkSpec, type InternalBridge, type NatBridge } from './roles';
export { hostInterfaces, natOptions, renderInterfacesFile, POLICY_PATH } from './interfaces';
export { renderPolicy, POLICY_TABLE } from './policy';
export { renderHost, writeRendered, type RenderedHost } from './render';
export { applyNetwork, withNatOptions, type ApplyReport, type HostChannel } from './apply';
export { rehearse, type RehearsalResult, type Expectation } from './rehearsal/rehearse';
export {
  runNetworkCommand,
  NETWORK_COMMANDS,
  DEFAULT_RENDER_OUT,
  type NetworkCommand,
  type NetworkCommandIo,
  type NetworkCommandOptions,
} from './cli/commands';
