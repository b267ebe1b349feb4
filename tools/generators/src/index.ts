// The package entry of @genesis/repo: the Nx plugin that infers the infra targets from each
// genesis.yaml (registered in nx.json `plugins`). The generators are in generators.json.
export { createNodesV2 } from './plugin/create-nodes';
export type { GenesisPluginOptions } from './plugin/infer-targets';
