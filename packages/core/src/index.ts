export * from './vocabulary.ts';
export * from './evidence.ts';
export * from './gate-report.ts';
