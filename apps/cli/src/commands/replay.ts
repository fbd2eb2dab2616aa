/**
 * `testgate replay PAYLOAD.json`: signs a recorded webhook payload the way GitHub does and
 * posts it to a running server. For trying the app locally without a tunnel from GitHub.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { sign } from '@octokit/webhooks-methods';
import type { CliCommand, CliIo } from '../command.ts';
import { CliError, EXIT, UsageError } from '../command.ts';

const HELP = `Usage: testgate replay PAYLOAD.json [--event NAME] [--url URL] [--secret S] [--delivery ID]

Signs PAYLOAD.json with the webhook secret (X-Hub-Signature-256) and POSTs it to a running
Testgate server, then prints the HTTP status and answer.

Flags:
  --event NAME     X-GitHub-Event (default: guessed from the payload: pull_request,
                   check_run, check_suite, installation)
  --url URL        default http://127.0.0.1:$PORT$WEBHOOK_PATH (3000, /api/github/webhooks)
  --secret S       default $WEBHOOK_SECRET
  --delivery ID    X-GitHub-Delivery (default: a new UUID; reuse one to test deduplication)
  -h, --help       this help

Exit codes: 0 the server answered 2xx, 1 it answered something else, 2 usage error,
3 the server could not be reached.
`;

function guessEvent(payload: Record<string, unknown>): string | undefined {
  for (const key of ['pull_request', 'check_run', 'check_suite']) if (key in payload) return key;
  if ('installation' in payload && 'repositories' in payload) return 'installation';
  return undefined;
}

async function run(args: string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: {
        event: { type: 'string' },
        url: { type: 'string' },
        secret: { type: 'string' },
        delivery: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: true,
    });
  } catch (error) {
    throw new UsageError((error as Error).message, { command: 'replay', cause: error });
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout.write(HELP);
    return EXIT.ok;
  }
  const file = positionals[0];
  if (file === undefined || positionals.length > 1)
    throw new UsageError('give exactly one payload file', { command: 'replay' });
  let body: string;
  let payload: Record<string, unknown>;
  try {
    body = await readFile(resolve(io.cwd, file), 'utf8');
    payload = JSON.parse(body) as Record<string, unknown>;
  } catch (error) {
    throw new UsageError(`cannot read ${file} as JSON: ${(error as Error).message}`, {
      command: 'replay',
      cause: error,
    });
  }
  const event = values.event ?? guessEvent(payload);
  if (event === undefined)
    throw new UsageError('cannot tell the event from the payload: pass --event NAME', {
      command: 'replay',
    });
  const secret = values.secret ?? io.env.WEBHOOK_SECRET;
  if (secret === undefined || secret === '') {
    throw new UsageError(
      'no secret: pass --secret S or set WEBHOOK_SECRET to the secret the server uses',
      { command: 'replay' },
    );
  }
  const url =
    values.url ??
    `http://127.0.0.1:${io.env.PORT ?? '3000'}${io.env.WEBHOOK_PATH ?? '/api/github/webhooks'}`;
  const delivery = values.delivery ?? randomUUID();
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'GitHub-Hookshot/testgate-replay',
        'x-github-event': event,
        'x-github-delivery': delivery,
        'x-hub-signature-256': await sign(secret, body),
      },
      body,
      signal: AbortSignal.any([io.signal, AbortSignal.timeout(15_000)]),
    });
  } catch (error) {
    throw new CliError('SERVER_UNREACHABLE', `cannot reach ${url}: ${(error as Error).message}`, {
      hint: 'start the server with `pnpm testgate serve`, or pass --url',
      cause: error,
    });
  }
  const text = await response.text();
  io.stdout.write(
    `${response.status} ${response.statusText} (event ${event}, delivery ${delivery})\n${text}\n`,
  );
  return response.ok ? EXIT.ok : EXIT.fail;
}

export const command: CliCommand = {
  name: 'replay',
  summary: 'Replay a recorded webhook delivery against a local server',
  help: HELP,
  run,
};
