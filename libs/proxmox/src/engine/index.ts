export * from './registry';
export * from './plan';
export * from './apply';
export * from './verify';
export * from './network';
export * from './serial-api';
export * from './read-memo';
