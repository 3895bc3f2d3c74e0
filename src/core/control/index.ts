export * from './approval.js';
export * from './find-node.js';
export type * from './ports.js';
export * from './routes.js';
export * from './server.js';
