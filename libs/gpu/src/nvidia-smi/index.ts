export { parseNvidiaSmiXml, NvidiaSmiParseError } from './parse';
export * from './types';
export { quantity, isAbsent } from './values';
export { parseQueryGpuCsv, mibToBytes, QueryGpuCsvError, type QueryGpuRow } from './csv';
