export * from './client/types';
