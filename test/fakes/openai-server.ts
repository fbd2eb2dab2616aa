/**
 * A local OpenAI-compatible server for tests and benchmarks: POST /v1/chat/completions
 * answers from a script (or a responder function), with usage counts, and can return
 * 429 with retry-after, 5xx, or hang. Every request is recorded. Listens on 127.0.0.1 only.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { countTokens } from '@testgate/generator';

export interface ChatRequestBody {
  model: string;
  messages: { role: string; content: string }[];
  temperature?: number;
  max_tokens?: number;
  [key: string]: unknown;
}

export type FakeReply =
  /** A completion. Usage defaults to the tokens of the prompt and of `content` (o200k). */
  | {
      kind?: 'answer';
      content: string;
      usage?: { prompt_tokens: number; completion_tokens: number };
      model?: string;
    }
  /** An HTTP error, e.g. `{ kind: 'status', status: 429, headers: { 'retry-after': '0' } }`. */
  | { kind: 'status'; status: number; headers?: Record<string, string>; body?: unknown }
  /** Never answers (the client's timeout fires); the socket is closed when the server stops. */
  | { kind: 'hang' };

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: ChatRequestBody | undefined;
  /** What the server did: `answer`, `status:429`, `hang`. */
  replied: string;
}

export interface FakeOpenAIServer {
  /** Base URL for the `openai` client, e.g. `http://127.0.0.1:40123/v1`. */
  url: string;
  requests: RecordedRequest[];
  /** Chat requests that got a completion. */
  completions(): RecordedRequest[];
  /** Replies used in order, before the responder. */
  enqueue(...replies: FakeReply[]): void;
  /** Answers when the queue is empty. @defaultValue a 500 saying nothing is scripted */
  respond(responder: (body: ChatRequestBody, index: number) => FakeReply): void;
  close(): Promise<void>;
}

export async function startFakeOpenAIServer(
  options: {
    replies?: FakeReply[];
    responder?: (body: ChatRequestBody, index: number) => FakeReply;
  } = {},
): Promise<FakeOpenAIServer> {
  const queue: FakeReply[] = [...(options.replies ?? [])];
  let responder = options.responder;
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  let chatIndex = 0;

  const server = createServer((req, res) => {
    void handle(req, res);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    let body: ChatRequestBody | undefined;
    try {
      body = raw ? (JSON.parse(raw) as ChatRequestBody) : undefined;
    } catch {
      body = undefined;
    }
    const record: RecordedRequest = {
      method: req.method ?? '',
      path: req.url ?? '',
      headers: req.headers,
      body,
      replied: '',
    };
    requests.push(record);
    if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions') || !body) {
      record.replied = 'status:404';
      sendJson(res, 404, {
        error: { message: `no route ${req.method} ${req.url}`, type: 'invalid_request_error' },
      });
      return;
    }
    const index = chatIndex++;
    const reply: FakeReply = queue.shift() ??
      responder?.(body, index) ?? {
        kind: 'status',
        status: 500,
        body: { error: { message: 'fake server: no scripted answer', type: 'server_error' } },
      };
    if (reply.kind === 'hang') {
      record.replied = 'hang';
      return;
    }
    if (reply.kind === 'status') {
      record.replied = `status:${reply.status}`;
      sendJson(
        res,
        reply.status,
        reply.body ?? { error: { message: `scripted ${reply.status}`, type: 'server_error' } },
        reply.headers,
      );
      return;
    }
    record.replied = 'answer';
    const usage = reply.usage ?? {
      prompt_tokens: body.messages.reduce((n, m) => n + countTokens(m.content) + 4, 3),
      completion_tokens: countTokens(reply.content),
    };
    sendJson(res, 200, {
      id: `chatcmpl-fake-${index}`,
      object: 'chat.completion',
      created: 1_700_000_000,
      model: reply.model ?? body.model,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: reply.content },
          finish_reason: 'stop',
          logprobs: null,
        },
      ],
      usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
    });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    completions: () => requests.filter((r) => r.replied === 'answer'),
    enqueue: (...replies) => queue.push(...replies),
    respond: (fn) => {
      responder = fn;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}
