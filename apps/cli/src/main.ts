#!/usr/bin/env node
/**
 * `testgate <command> [flags]`. Dispatches to the command registry, turns errors into a
 * message and an exit code, and turns SIGINT/SIGTERM into an AbortSignal so running
 * containers are removed before the process exits.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { VERSION } from './build-info.ts';
import type { CliIo } from './command.ts';
import { EXIT, UsageError } from './command.ts';
import { COMMANDS, findCommand } from './commands/index.ts';
import { printError } from './print-error.ts';

export const MAIN_HELP = `Usage: testgate <command> [flags]

Testgate judges the pytest tests a change adds (and the ones it generates) by running
them in a sealed Docker sandbox.

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(8)} ${c.summary}`).join('\n')}

Run \`testgate <command> --help\` for a command's flags; \`testgate --version\` prints the
version.

Exit codes: 0 pass or neutral, 1 fail, 2 usage or configuration error,
3 the gate could not run (Docker, image, sandbox), 130 interrupted.
`;

/** Runs the CLI with `argv` (without node and the script) and returns the exit code. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-V' || name === 'version') {
    io.stdout.write(`testgate ${VERSION}\n`);
    return EXIT.ok;
  }
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? rest[0] : undefined;
    if (topic !== undefined) return main([topic, '--help'], io);
    io.stdout.write(MAIN_HELP);
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  try {
    const entry = findCommand(name);
    if (!entry) {
      throw new UsageError(
        `unknown command "${name}"; commands: ${COMMANDS.map((c) => c.name).join(', ')}`,
      );
    }
    const command = await entry.load();
    if (rest.includes('--help') || rest.includes('-h')) {
      io.stdout.write(command.help.endsWith('\n') ? command.help : `${command.help}\n`);
      return EXIT.ok;
    }
    return await command.run(rest, io);
  } catch (error) {
    return printError(error, io);
  }
}

function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (sig: NodeJS.Signals): void => {
    interrupts += 1;
    // A second Ctrl-C means "now": skip the cleanup.
    if (interrupts > 1) process.exit(EXIT.interrupted);
    process.stderr.write(`\ntestgate: ${sig}, stopping (removing sandbox containers)...\n`);
    controller.abort(new Error(`interrupted by ${sig}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const code = await main(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    signal: controller.signal,
  });
  // Exit once stdout has drained (a large JSON report piped to another program), without
  // waiting for idle keep-alive sockets of the Docker client.
  process.stdout.write('', () => process.exit(code));
}
