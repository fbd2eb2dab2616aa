export * from './vocabulary.ts';
export * from './evidence.ts';
export * from './gate-report.ts';
export * from './config.ts';
export * from './policy.ts';
export * from './timeout.ts';
export * from './untrusted-text.ts';
export * from './gate-report-schema.ts';
