/**
 * The command registry. `run` and `doctor` live here; `serve` and `replay` are written by
 * the GitHub-app side and loaded lazily (so `testgate run` never loads Fastify or BullMQ).
 * A lazily loaded module must `export const command: CliCommand`.
 */
import type { CliCommand } from '../command.ts';
import { CliError, EXIT } from '../command.ts';

export interface RegistryEntry {
  name: string;
  summary: string;
  load: () => Promise<CliCommand>;
}

function fromModule(name: string, file: string): () => Promise<CliCommand> {
  return async () => {
    // A computed specifier: the module may not exist in every build, and a literal would
    // make the typecheck depend on it.
    const url = new URL(file, import.meta.url).href;
    let mod: { command?: CliCommand };
    try {
      mod = (await import(url)) as { command?: CliCommand };
    } catch (error) {
      if (
        (error as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' &&
        String(error).includes(file.slice(2))
      ) {
        throw new CliError(
          'COMMAND_UNAVAILABLE',
          `testgate ${name} is not available in this build (apps/cli/src/commands/${file.slice(2)} is missing)`,
          {
            hint: 'update your checkout; run `testgate --help` for the commands this build has',
            exitCode: EXIT.usage,
            cause: error,
          },
        );
      }
      throw error;
    }
    if (!mod.command || typeof mod.command.run !== 'function') {
      throw new Error(`${file} must export \`command\` (a CliCommand)`);
    }
    return mod.command;
  };
}

export const COMMANDS: readonly RegistryEntry[] = [
  {
    name: 'run',
    summary: 'Judge the tests a change adds, on a local git repository',
    load: async () => (await import('./run.ts')).command,
  },
  {
    name: 'doctor',
    summary: 'Check Docker, the sandbox image, Redis and the Python tools',
    load: async () => (await import('./doctor.ts')).command,
  },
  {
    name: 'serve',
    summary: 'Run the GitHub App (webhook server and worker)',
    load: fromModule('serve', './serve.ts'),
  },
  {
    name: 'replay',
    summary: 'Replay a recorded webhook delivery against a local server',
    load: fromModule('replay', './replay.ts'),
  },
];

export function findCommand(name: string): RegistryEntry | undefined {
  return COMMANDS.find((c) => c.name === name);
}
