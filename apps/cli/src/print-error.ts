/**
 * The one place CLI errors become text. Users see the code, the message and what to do;
 * stacks only with DEBUG=1.
 */
import { isPipelineError } from '@testgate/pipeline';
import type { PipelineError } from '@testgate/pipeline';
import { ADVICE } from './advice.ts';
import { BUNDLED } from './build-info.ts';
import { CliError, EXIT, UsageError } from './command.ts';

function causeChain(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && depth < 8; depth++) {
    parts.push(current instanceof Error ? (current.stack ?? String(current)) : String(current));
    current = current instanceof Error ? current.cause : undefined;
    if (current !== undefined) parts.push('caused by:');
  }
  return parts.join('\n');
}

/** DEBUG=1 (or true): stack traces, and the harness's per-phase timings. */
export function isDebug(env: NodeJS.ProcessEnv): boolean {
  return env['DEBUG'] === '1' || env['DEBUG'] === 'true';
}

/** The first `code` (ENOENT, EACCES...) down an error's cause chain. */
function systemCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < 8; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return code;
    current = current.cause;
  }
  return undefined;
}

/**
 * The pipeline's messages and hints name the checkout's scripts (scripts/ensure-docker.sh);
 * the published package has none, so its infrastructure errors are told in its own words.
 */
function packagedText(error: PipelineError): { message: string; hint: string } | undefined {
  if (!BUNDLED) return undefined;
  const code = systemCode(error);
  switch (error.code) {
    case 'DOCKER_UNAVAILABLE':
      return {
        message: `the Docker engine does not answer at ${process.env['DOCKER_HOST'] ?? 'unix:///var/run/docker.sock'}${code === undefined ? '' : ` (${code})`}`,
        hint: `${code === 'EACCES' ? ADVICE.dockerPermission : ADVICE.startDocker}; then run \`testgate doctor\``,
      };
    case 'IMAGE_UNAVAILABLE':
      return {
        message: 'the sandbox image is missing and could not be built',
        hint: `${ADVICE.imageBuildFailed}; \`testgate doctor\` says what is missing`,
      };
    case 'HARNESS_FAILED':
      return {
        message: error.message,
        hint: 'this is a Testgate bug or a broken sandbox image: rebuild the image (docker rmi it, then testgate image --build) and rerun with DEBUG=1',
      };
    default:
      return undefined;
  }
}

/** Prints `error` to `stderr` and returns the exit code it stands for. */
export function printError(
  error: unknown,
  io: { stderr: NodeJS.WritableStream; env: NodeJS.ProcessEnv },
): number {
  const debug = isDebug(io.env);
  const write = (text: string): void => {
    io.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
  };
  let exitCode: number = EXIT.error;
  if (error instanceof UsageError) {
    write(`testgate: ${error.message}`);
    write(`Run \`testgate ${error.command ? `${error.command} ` : ''}--help\` for usage.`);
    exitCode = EXIT.usage;
  } else if (error instanceof CliError) {
    write(`error ${error.code}: ${error.message}`);
    if (error.hint) write(`  what to do: ${error.hint}`);
    exitCode = error.exitCode;
  } else if (isPipelineError(error)) {
    const text = packagedText(error) ?? { message: error.message, hint: error.hint };
    write(`error ${error.code}: ${text.message}`);
    write(`  what to do: ${text.hint}`);
    exitCode = error.code === 'ABORTED' ? EXIT.interrupted : EXIT.error;
  } else {
    const message = error instanceof Error ? error.message : String(error);
    write(`error INTERNAL: ${message}`);
    write('  what to do: rerun with DEBUG=1 for the stack trace, and report it');
  }
  if (debug) write(causeChain(error));
  return exitCode;
}
