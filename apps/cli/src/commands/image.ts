/**
 * `testgate image`: the sandbox image this version of Testgate runs (its tags are content
 * hashes of the build files and the harness, so they are known without Docker), and a way to
 * build it ahead of the first `testgate run` (CI images, the GitHub Action's cache step).
 */
import { parseArgs } from 'node:util';
import { ensureSandboxImage, isSandboxError, sandboxImageTags } from '@testgate/sandbox';
import { ADVICE } from '../advice.ts';
import type { CliCommand, CliIo } from '../command.ts';
import { CliError, EXIT, UsageError } from '../command.ts';

const HELP = `Usage: testgate image [--build [--builder rootfs|dockerfile]] [--json]

Prints the tags of the sandbox image this version runs: testgate-sandbox:<hash> (the
harness layer) and testgate-sandbox-base:<hash> (the Debian packages). The hashes are the
content of the image's build files, so two machines with the same version agree on them,
and a cache keyed on them (the GitHub Action's) is never stale.

Flags:
  --build             build whatever part of the image is missing (seconds when the base
                      exists, a few minutes once when it does not)
  --builder KIND      how a missing base is built: rootfs (default; Debian packages with
                      debootstrap, needs root, no registry) or dockerfile (FROM
                      debian:bookworm-slim, needs Docker Hub)
  --json              one JSON object: {"image", "base", "built"}
  -h, --help          this help

Exit codes: 0 done, 2 usage error, 3 the image could not be built.
`;

async function run(argv: string[], io: CliIo): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        build: { type: 'boolean' },
        builder: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message, { command: 'image', cause: error });
  }
  const builder = values.builder ?? 'rootfs';
  if (builder !== 'rootfs' && builder !== 'dockerfile') {
    throw new UsageError(`--builder must be rootfs or dockerfile (got "${builder}")`, {
      command: 'image',
    });
  }
  if (values.builder !== undefined && values.build !== true) {
    throw new UsageError('--builder applies to --build only', { command: 'image' });
  }
  const tags = await sandboxImageTags();
  if (values.build === true) {
    try {
      await ensureSandboxImage({
        baseBuilder: builder,
        onProgress: (event) =>
          io.stderr.write(`testgate: image (${event.stage}): ${event.message}\n`),
      });
    } catch (error) {
      if (isSandboxError(error, 'DOCKER_UNAVAILABLE')) {
        throw new CliError('DOCKER_UNAVAILABLE', 'the Docker engine does not answer', {
          hint: ADVICE.startDocker,
          cause: error,
        });
      }
      throw new CliError(
        'IMAGE_BUILD_FAILED',
        error instanceof Error ? error.message : String(error),
        { hint: ADVICE.imageBuildFailed, cause: error },
      );
    }
  }
  if (values.json === true) {
    io.stdout.write(
      `${JSON.stringify({ image: tags.image, base: tags.base, built: values.build === true })}\n`,
    );
  } else {
    io.stdout.write(`image ${tags.image}\nbase  ${tags.base}\n`);
  }
  return EXIT.ok;
}

export const command: CliCommand = {
  name: 'image',
  summary: 'Print the sandbox image tags of this version, or build the image',
  help: HELP,
  run,
};
