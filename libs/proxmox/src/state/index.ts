export * from './schema';
export * from './load';
export * from './ipv4';
export { crossCheck, type Finding, type FieldPath } from './cross-checks';
