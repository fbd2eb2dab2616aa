export * from './format.ts';
export * from './text.ts';
export * from './json.ts';
export * from './markdown.ts';
export * from './sarif.ts';
export * from './check-run.ts';
export * from './comment.ts';
export * from './junit.ts';
