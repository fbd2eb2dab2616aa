/**
 * `pnpm bench NAME [args...]` runs bench/NAME.ts. Benchmarks are not part of the test
 * suite (STYLE.md 20): each prints a ratio against a baseline measured in the same run.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

function available(): string[] {
  return readdirSync(here)
    .filter((name) => name.endsWith('.ts') && name !== 'run.ts')
    .map((name) => name.slice(0, -3))
    .sort();
}

const name = process.argv[2];
if (!name || !/^[a-z0-9-]+$/.test(name) || !existsSync(path.join(here, `${name}.ts`))) {
  console.error(`usage: pnpm bench NAME; NAME is one of: ${available().join(', ')}`);
  process.exit(2);
}
// The benchmark sees its own arguments as process.argv.slice(2).
process.argv.splice(2, 1);
await import(pathToFileURL(path.join(here, `${name}.ts`)).href);
