import OpenAI, { APIConnectionError, APIError, APIUserAbortError } from 'openai';
import { GeneratorError } from './errors.ts';
import type {
  CompleteOptions,
  CompletionRequest,
  CompletionResult,
  ModelProvider,
} from './provider.ts';

interface OpenAIProviderOptions {
  apiKey: string;
  /** Any OpenAI-compatible server: `http://127.0.0.1:11434/v1` (Ollama), vLLM, llama.cpp. @defaultValue OpenAI's */
  baseURL?: string;
  /** Per request. @defaultValue 60000 */
  timeoutMs?: number;
  /** Retries after the first request, on 408/409/429/5xx and lost connections. @defaultValue 3 */
  maxRetries?: number;
  /** First backoff; doubles per retry, capped at `maxBackoffMs`, with +-25% jitter. @defaultValue 500 */
  initialBackoffMs?: number;
  /** @defaultValue 8000 */
  maxBackoffMs?: number;
  /** A server's `retry-after` longer than this is not waited for: the retry uses the backoff. @defaultValue 60000 */
  maxRetryAfterMs?: number;
  /** Injected for tests. */
  fetch?: typeof fetch;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  onRetry?: (info: { attempt: number; status: number | undefined; waitMs: number }) => void;
}

/**
 * Chat completions through the `openai` client. Retries are ours, not the client's
 * (`maxRetries: 0` on the client) so that every HTTP request is counted and the backoff
 * honours `retry-after` / `retry-after-ms` with jitter we can test.
 */
export function createOpenAIProvider(options: OpenAIProviderOptions): ModelProvider {
  const client = new OpenAI({
    apiKey: options.apiKey,
    ...(options.baseURL === undefined ? {} : { baseURL: options.baseURL }),
    timeout: options.timeoutMs ?? 60_000,
    maxRetries: 0,
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
  });
  const maxRetries = options.maxRetries ?? 3;
  const initialBackoffMs = options.initialBackoffMs ?? 500;
  const maxBackoffMs = options.maxBackoffMs ?? 8000;
  const maxRetryAfterMs = options.maxRetryAfterMs ?? 60_000;
  const sleep = options.sleep ?? abortableSleep;
  const random = options.random ?? Math.random;

  async function complete(
    request: CompletionRequest,
    callOptions: CompleteOptions = {},
  ): Promise<CompletionResult> {
    let requests = 0;
    for (let attempt = 0; ; attempt++) {
      requests++;
      try {
        const response = await client.chat.completions.create(
          {
            model: request.model,
            messages: request.messages,
            temperature: request.temperature,
            max_tokens: request.maxTokens,
          },
          callOptions.signal === undefined ? {} : { signal: callOptions.signal },
        );
        const choice = response.choices[0];
        const content = choice?.message.content;
        if (typeof content !== 'string') {
          throw new GeneratorError(
            'BAD_ANSWER',
            `The model ${request.model} answered without any text.`,
            { requests },
          );
        }
        return {
          content,
          model: response.model || request.model,
          usage: {
            promptTokens: response.usage?.prompt_tokens ?? 0,
            completionTokens: response.usage?.completion_tokens ?? 0,
          },
          ...(choice?.finish_reason ? { finishReason: choice.finish_reason } : {}),
          requests,
        };
      } catch (error) {
        if (error instanceof GeneratorError) throw error;
        if (error instanceof APIUserAbortError || callOptions.signal?.aborted) {
          throw new GeneratorError('ABORTED', 'Test generation was cancelled.', { cause: error });
        }
        const status = error instanceof APIError ? error.status : undefined;
        const retryable = isRetryable(error);
        if (!retryable) {
          throw new GeneratorError(
            'MODEL_REJECTED',
            `The model server refused the request (HTTP ${status ?? '?'}): ${messageOf(error)}. ` +
              'Check OPENAI_API_KEY, OPENAI_BASE_URL and the model name.',
            { cause: error, retryable: false, requests },
          );
        }
        if (attempt >= maxRetries) {
          throw new GeneratorError(
            'MODEL_UNAVAILABLE',
            `The model server did not answer after ${requests} request(s) (last: ${status === undefined ? messageOf(error) : `HTTP ${status}`}).`,
            { cause: error, retryable: true, requests },
          );
        }
        const headers = error instanceof APIError ? error.headers : undefined;
        const waitMs =
          retryAfterMs(headers, maxRetryAfterMs) ??
          Math.min(initialBackoffMs * 2 ** attempt, maxBackoffMs) * (0.75 + random() * 0.5);
        options.onRetry?.({ attempt: attempt + 1, status, waitMs });
        await sleep(waitMs, callOptions.signal);
      }
    }
  }

  return { name: 'openai', complete };
}

function isRetryable(error: unknown): boolean {
  if (error instanceof APIConnectionError) return true; // includes timeouts
  if (error instanceof APIError) {
    const status = error.status;
    return (
      status === undefined || status === 408 || status === 409 || status === 429 || status >= 500
    );
  }
  // A body the client could not parse, a reset socket: treat as transient.
  return true;
}

function retryAfterMs(headers: Headers | undefined, cap: number): number | undefined {
  if (!headers) return undefined;
  const ms = Number.parseFloat(headers.get('retry-after-ms') ?? '');
  if (Number.isFinite(ms) && ms >= 0 && ms <= cap) return ms;
  const raw = headers.get('retry-after');
  if (raw === null) return undefined;
  const seconds = Number.parseFloat(raw);
  const wait = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(raw) - Date.now();
  return Number.isFinite(wait) && wait >= 0 && wait <= cap ? wait : undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message.slice(0, 300) : String(error).slice(0, 300);
}

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new GeneratorError('ABORTED', 'Test generation was cancelled.'));
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    function onAbort(): void {
      clearTimeout(timer);
      reject(new GeneratorError('ABORTED', 'Test generation was cancelled.'));
    }
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
