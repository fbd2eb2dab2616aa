/**
 * The one place CLI errors become text. Users see the code, the message and what to do;
 * stacks only with DEBUG=1.
 */
import { isPipelineError } from '@testgate/pipeline';
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
    write(`error ${error.code}: ${error.message}`);
    write(`  what to do: ${error.hint}`);
    exitCode = error.code === 'ABORTED' ? EXIT.interrupted : EXIT.error;
  } else {
    const message = error instanceof Error ? error.message : String(error);
    write(`error INTERNAL: ${message}`);
    write('  what to do: rerun with DEBUG=1 for the stack trace, and report it');
  }
  if (debug) write(causeChain(error));
  return exitCode;
}
