import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { GeneratorError } from './errors.ts';
import {
  completionResultSchema,
  requestHash,
  type CompleteOptions,
  type CompletionRequest,
  type CompletionResult,
  type ModelProvider,
} from './provider.ts';

const recordedResponseSchema = completionResultSchema.omit({ requests: true });

/** Files of one exchange: `<hash>.request.json` (what was asked) and `<hash>.response.json`. */
function exchangePaths(dir: string, hash: string): { request: string; response: string } {
  return {
    request: join(dir, `${hash}.request.json`),
    response: join(dir, `${hash}.response.json`),
  };
}

/**
 * Passes every request to `inner` and writes the exchange to `dir`, so that a later run
 * with {@link createReplayProvider} on the same directory answers the same prompts
 * without a model. Failed requests are not recorded.
 */
export function createRecordingProvider(inner: ModelProvider, dir: string): ModelProvider {
  return {
    name: `${inner.name}+record`,
    async complete(
      request: CompletionRequest,
      options?: CompleteOptions,
    ): Promise<CompletionResult> {
      const result = await inner.complete(request, options);
      const hash = requestHash(request);
      const paths = exchangePaths(dir, hash);
      await mkdir(dir, { recursive: true });
      const { requests: _requests, ...response } = result;
      await writeAtomically(paths.request, `${JSON.stringify({ hash, ...request }, null, 2)}\n`);
      await writeAtomically(paths.response, `${JSON.stringify(response, null, 2)}\n`);
      return result;
    },
  };
}

/**
 * Answers from a directory written by {@link createRecordingProvider}; a request that was
 * not recorded fails with `REPLAY_MISS` naming its hash (the prompt changed: record again).
 */
export function createReplayProvider(dir: string): ModelProvider {
  return {
    name: 'replay',
    async complete(request: CompletionRequest): Promise<CompletionResult> {
      const hash = requestHash(request);
      const paths = exchangePaths(dir, hash);
      let raw: string;
      try {
        raw = await readFile(paths.response, 'utf8');
      } catch (error) {
        throw new GeneratorError(
          'REPLAY_MISS',
          `No recorded model answer for request ${hash} in ${dir}: the prompt changed since it was recorded. ` +
            'Run again with --record to refresh the recording.',
          { cause: error },
        );
      }
      const parsed = recordedResponseSchema.safeParse(safeJson(raw));
      if (!parsed.success) {
        throw new GeneratorError(
          'REPLAY_MISS',
          `The recorded answer ${paths.response} is not valid: ${z.prettifyError(parsed.error)}`,
        );
      }
      const { finishReason, ...rest } = parsed.data;
      return { ...rest, ...(finishReason === undefined ? {} : { finishReason }), requests: 1 };
    },
  };
}

function safeJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

async function writeAtomically(path: string, content: string): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, content);
  await rename(tmp, path);
}
