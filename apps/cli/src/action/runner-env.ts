/**
 * The GitHub Actions runner's side of the action: inputs (passed by action.yml's `env:` as
 * INPUT_<NAME>, never interpolated into a script), the event payload, step outputs
 * ($GITHUB_OUTPUT) and the job summary ($GITHUB_STEP_SUMMARY). Formats from GitHub's
 * "Workflow commands for GitHub Actions" page.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { appendFile, readFile } from 'node:fs/promises';
import { CliError, EXIT } from '../command.ts';

/** GitHub shows at most 1 MiB of one step's summary; past it the upload fails with an error. */
const STEP_SUMMARY_LIMIT = 1024 * 1024;

/** `INPUT_FAIL_ON` for input `fail-on`: action.yml maps every input this way. */
export function input(env: NodeJS.ProcessEnv, name: string): string {
  return (env[`INPUT_${name.toUpperCase().replace(/-/g, '_')}`] ?? '').trim();
}

/** The webhook payload of the event that started the workflow, or {} outside a runner. */
export async function readEvent(env: NodeJS.ProcessEnv): Promise<Record<string, unknown>> {
  const file = env['GITHUB_EVENT_PATH'];
  if (!file || !existsSync(file)) return {};
  try {
    const value = JSON.parse(await readFile(file, 'utf8')) as unknown;
    return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {};
  } catch (error) {
    throw new CliError('ACTION_EVENT', `GITHUB_EVENT_PATH ${file} is not a JSON event payload`, {
      hint: 'this runs inside a GitHub Actions job; outside one, unset GITHUB_EVENT_PATH',
      exitCode: EXIT.usage,
      cause: error,
    });
  }
}

/** A nested string of the payload (`pull_request.head.sha`), or undefined. */
export function eventString(event: unknown, ...keys: string[]): string | undefined {
  let value: unknown = event;
  for (const key of keys) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * `name<<DELIMITER` / value / `DELIMITER` for every output: the multi-line form takes any
 * value, and the delimiter is random and absent from the value, so no value can end its
 * own entry and set another output.
 */
export function formatOutputs(outputs: Record<string, string>): string {
  let text = '';
  for (const [name, value] of Object.entries(outputs)) {
    let delimiter: string;
    do delimiter = `ghadelimiter_${randomBytes(12).toString('hex')}`;
    while (value.includes(delimiter));
    text += `${name}<<${delimiter}\n${value}\n${delimiter}\n`;
  }
  return text;
}

/** Appends outputs to $GITHUB_OUTPUT; outside a runner, prints them to `stderr`. */
export async function setOutputs(
  env: NodeJS.ProcessEnv,
  outputs: Record<string, string>,
  stderr: NodeJS.WritableStream,
): Promise<void> {
  const file = env['GITHUB_OUTPUT'];
  if (file) await appendFile(file, formatOutputs(outputs));
  else
    for (const [name, value] of Object.entries(outputs)) stderr.write(`output ${name}=${value}\n`);
}

/** Bytes the step's summary may still take: the limit less what earlier writes left there. */
export function summaryRoom(env: NodeJS.ProcessEnv): number {
  const file = env['GITHUB_STEP_SUMMARY'];
  const used = file && existsSync(file) ? statSync(file).size : 0;
  return Math.max(0, STEP_SUMMARY_LIMIT - used);
}

/** Appends Markdown to $GITHUB_STEP_SUMMARY; does nothing outside a runner. */
export async function appendSummary(env: NodeJS.ProcessEnv, markdown: string): Promise<void> {
  const file = env['GITHUB_STEP_SUMMARY'];
  if (file) await appendFile(file, markdown.endsWith('\n') ? markdown : `${markdown}\n`);
}
