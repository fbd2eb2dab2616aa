export * from './build-server.ts';
export * from './config.ts';
export * from './metrics.ts';
export * from './webhook-plan.ts';
export * from './start-server.ts';
export * from './add-tests-intake.ts';
