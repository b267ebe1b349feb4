export { startSimCluster, type RunningSimCluster, type SimClusterOptions } from './start';
export { SimCluster, NO_QUORUM } from './sim-cluster';
export type { ClusterFs, HaResource, HaRule, HaGroup } from './cluster-fs';
