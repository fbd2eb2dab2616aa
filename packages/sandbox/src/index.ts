export * from './sandbox-error.ts';
export * from './limits.ts';
export * from './sandbox-runner.ts';
export * from './docker-runner.ts';
export * from './reap-sandboxes.ts';
export * from './sandbox-image.ts';
export * from './tree-pack.ts';
export * from './run-harness.ts';
