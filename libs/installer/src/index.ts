export * from './answer/check';
export * from './answer/deserialize';
export * from './answer/environment';
export * from './answer/first-boot';
export * from './answer/render';
export * from './answer/types';
export * from './answer/verify';
export * from './cloud-init/user-data';
