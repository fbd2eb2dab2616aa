/**
 * `tsx packages/sandbox/src/cli-ensure-image.ts [--dockerfile]`: builds whatever part of the
 * sandbox image is missing and prints its tag on stdout (progress on stderr).
 */
import { ensureSandboxImage } from './sandbox-image.ts';
import { isSandboxError } from './sandbox-error.ts';

async function main(): Promise<void> {
  const started = performance.now();
  const tag = await ensureSandboxImage({
    baseBuilder: process.argv.includes('--dockerfile') ? 'dockerfile' : 'rootfs',
    onProgress: (event) => process.stderr.write(`[${event.stage}] ${event.message}\n`),
  });
  process.stderr.write(
    `sandbox image ${tag} ready in ${Math.round(performance.now() - started)} ms\n`,
  );
  process.stdout.write(`${tag}\n`);
}

main().catch((error: unknown) => {
  const code = isSandboxError(error) ? error.code : 'ERROR';
  process.stderr.write(
    `ensure-image failed [${code}]: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exitCode = 1;
});
