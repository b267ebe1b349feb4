export * from './schema';
export * from './load';
export * from './ipv4';
export * from './installer-schema';
export { crossCheck, type Finding, type FieldPath } from './cross-checks';
export { projectNode, declaredNode, linkAddresses, isClusterSpec, type Projection } from './cluster';
