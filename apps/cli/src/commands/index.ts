/**
 * The command registry. Each command is imported when it runs (so `testgate run` never
 * loads Fastify or BullMQ); the imports are literal so the bundler of the published CLI
 * finds every command.
 */
import type { CliCommand } from '../command.ts';

interface RegistryEntry {
  name: string;
  summary: string;
  load: () => Promise<CliCommand>;
}

export const COMMANDS: readonly RegistryEntry[] = [
  {
    name: 'run',
    summary: 'Judge the tests a change adds, on a local git repository',
    load: async () => (await import('./run.ts')).command,
  },
  {
    name: 'doctor',
    summary: 'Check Node, git, Docker, the sandbox image, Redis and the Python tools',
    load: async () => (await import('./doctor.ts')).command,
  },
  {
    name: 'image',
    summary: 'Print the sandbox image tags of this version, or build the image',
    load: async () => (await import('./image.ts')).command,
  },
  {
    name: 'serve',
    summary: 'Run the GitHub App (webhook server and worker)',
    load: async () => (await import('./serve.ts')).command,
  },
  {
    name: 'replay',
    summary: 'Replay a recorded webhook delivery against a local server',
    load: async () => (await import('./replay.ts')).command,
  },
];

export function findCommand(name: string): RegistryEntry | undefined {
  return COMMANDS.find((c) => c.name === name);
}
