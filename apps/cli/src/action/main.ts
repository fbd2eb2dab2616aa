/**
 * The GitHub Action's entry point (dist/action.js in the package): `node action.js MODE`.
 *
 * - `gate` (default): runs the gate on the checkout (gate.ts);
 * - `image-key`: the sandbox image's tags and the cache key for actions/cache, as outputs
 *   (`image`, `base`, `key`), without Docker: the tags are content hashes;
 * - `comment`: posts the sticky comment from a gate run's artifact (comment.ts).
 */
import { sandboxImageTags } from '@testgate/sandbox';
import type { CliIo } from '../command.ts';
import { EXIT } from '../command.ts';
import { printError } from '../print-error.ts';
import { runCommentAction } from './comment.ts';
import { runGateAction } from './gate.ts';
import { setOutputs } from './runner-env.ts';

async function imageKey(io: CliIo): Promise<number> {
  const tags = await sandboxImageTags();
  const hash = tags.image.split(':')[1] ?? tags.image;
  const platform = `${io.env['RUNNER_OS'] ?? process.platform}-${io.env['RUNNER_ARCH'] ?? process.arch}`;
  await setOutputs(
    io.env,
    { image: tags.image, base: tags.base, key: `testgate-sandbox-${platform}-${hash}` },
    io.stderr,
  );
  io.stderr.write(`testgate: sandbox image ${tags.image} (base ${tags.base})\n`);
  return EXIT.ok;
}

async function actionMain(mode: string | undefined, io: CliIo): Promise<number> {
  try {
    switch (mode ?? 'gate') {
      case 'gate':
        return await runGateAction(io);
      case 'image-key':
        return await imageKey(io);
      case 'comment':
        return await runCommentAction(io);
      default:
        io.stderr.write(
          `testgate action: unknown mode "${mode}"; modes: gate, image-key, comment\n`,
        );
        return EXIT.usage;
    }
  } catch (error) {
    return printError(error, io);
  }
}

const controller = new AbortController();
const onSignal = (sig: NodeJS.Signals): void => {
  process.stderr.write(`\ntestgate: ${sig}, stopping (removing sandbox containers)...\n`);
  controller.abort(new Error(`interrupted by ${sig}`));
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
const code = await actionMain(process.argv[2], {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
  signal: controller.signal,
});
// Exit once stdout has drained, without waiting for idle keep-alive sockets of the Docker client.
process.stdout.write('', () => process.exit(code));
