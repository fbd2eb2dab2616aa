/**
 * `tsx apps/cli/src/make-example-repo.ts [NAME] [DIR]`: builds examples/NAME (default calc)
 * as a git repository at DIR (default .cache/examples/NAME) and prints its path.
 * Idempotent: rebuilds only when the snapshots changed. Used by scripts/make-example-repo.sh.
 */
import { buildExampleRepo } from './example-repo.ts';

const [name, dir] = process.argv.slice(2);
try {
  const result = await buildExampleRepo({
    ...(name === undefined ? {} : { name }),
    ...(dir === undefined ? {} : { dir }),
  });
  process.stderr.write(
    `make-example-repo: ${result.rebuilt ? 'built' : 'up to date'}: ${result.dir}\n`,
  );
  process.stdout.write(`${result.dir}\n`);
} catch (error) {
  process.stderr.write(
    `make-example-repo: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exitCode = 1;
}
