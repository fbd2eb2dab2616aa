export * from './classify-error.ts';
export * from './config.ts';
export * from './gate-processor.ts';
export * from './start-worker.ts';
export * from './add-tests-processor.ts';
export * from './suggestion-store.ts';
