export * from './errors.ts';
export * from './octokit.ts';
export * from './workspace.ts';
export * from './repo-config.ts';
export * from './checks.ts';
export * from './comments.ts';
export * from './add-tests.ts';
export * from './app-env.ts';
