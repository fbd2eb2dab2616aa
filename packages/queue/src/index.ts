export * from './errors.ts';
export * from './connection.ts';
export * from './gate-job.ts';
export * from './gate-queue.ts';
export * from './gate-worker.ts';
export * from './intake.ts';
export * from './intake-mover.ts';
export * from './run-ledger.ts';
export { UnrecoverableError, WaitingError, DelayedError, type Job, type JobsOptions } from 'bullmq';
