export { parseNvidiaSmiXml, NvidiaSmiParseError } from './parse';
export * from './types';
export { quantity, isAbsent } from './values';
