export * from './client/types';
export * from './client';
export * from './api';
export * from './state';
export * from './resources';
export * from './engine';
export * from './cluster';
