/**
 * The contract every `testgate <command>` module implements. main.ts owns argv[2], the
 * exit code and the error printing; a command parses its own flags (node:util parseArgs)
 * and returns its exit code.
 */

/** What a command may touch. Tests and main.ts pass the real process streams. */
export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Fires on SIGINT/SIGTERM; long-running commands pass it down so containers are removed. */
  signal: AbortSignal;
}

export interface CliCommand {
  name: string;
  /** One line for `testgate --help`. */
  summary: string;
  /** The whole `testgate <name> --help` text. */
  help: string;
  /** Returns the process exit code. Throw UsageError for bad flags, CliError for anything the user must fix. */
  run(args: string[], io: CliIo): Promise<number>;
}

/** Exit codes: the stable contract with CI scripts. */
export const EXIT = {
  /** The gate passed, or it was neutral (nothing to judge). */
  ok: 0,
  /** The gate failed: at least one test was rejected. */
  fail: 1,
  /** Bad usage or a bad configuration file: fix the command line or the file. */
  usage: 2,
  /** The gate could not run (Docker down, image missing, sandbox failure). */
  error: 3,
  /** Interrupted (Ctrl-C). */
  interrupted: 130,
} as const;

/** Bad flags or arguments. main.ts prints the message and points at --help; exit 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly code = 'USAGE';
  readonly command: string | undefined;
  constructor(message: string, options: { command?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.command = options.command;
  }
}

/** A failure the user can act on: printed as `error CODE: message` plus `hint`. */
export class CliError extends Error {
  override readonly name = 'CliError';
  readonly code: string;
  readonly hint: string;
  readonly exitCode: number;
  constructor(
    code: string,
    message: string,
    options: { hint?: string; exitCode?: number; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.hint = options.hint ?? '';
    this.exitCode = options.exitCode ?? EXIT.error;
  }
}
