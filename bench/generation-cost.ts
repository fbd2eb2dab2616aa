/**
 * `pnpm bench generation-cost`: what the model path costs. On the example repo and on a
 * 3,000-line module (bench/data/large-module), for each changed function: the tokens of
 * the prompt we send (nearest function, what it uses, trimmed to the 2048-token budget)
 * against the same prompt carrying the whole file, the baseline. Then the whole model path
 * runs twice on the same trees (same head SHA) against a local fake OpenAI server, with
 * the real sandbox evaluating the answers and the real Redis cache: the second run must
 * make 0 model calls. Last line: `ratio: X` = whole-file tokens / our tokens (all targets).
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { defaultConfig, judge } from '@testgate/core';
import {
  buildContext,
  candidateEvaluationFrom,
  countTokens,
  createOpenAIProvider,
  createRedisCompletionCache,
  createThrottle,
  firstPrompt,
  generateWithModel,
  targetsFromAnalysis,
  type CandidateFile,
  type ChatMessage,
} from '@testgate/generator';
import { createRedisConnection } from '@testgate/queue';
import {
  createDockerRunner,
  ensureSandboxImage,
  runHarness,
  type TreeInput,
} from '@testgate/sandbox';
import { startFakeOpenAIServer, type ChatRequestBody } from '../test/fakes/openai-server.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const repos = [
  { name: 'examples/calc', root: path.join(here, '..', 'examples', 'calc') },
  { name: 'large-module', root: path.join(here, 'data', 'large-module') },
];
const BUDGET = 2048;

/** Scripted answers, by target: what a good model would write. */
const ANSWERS: Record<string, string> = {
  parse_amount: `import pytest

from calc.parse import parse_amount


def test_rounds_to_cents():
    assert parse_amount(" 1,000.257 ") == 1000.26


@pytest.mark.parametrize("text, message", [("  ", "empty amount"), ("twelve", "not a number"), ("-3", "negative amount")])
def test_refuses_bad_amounts(text, message):
    with pytest.raises(ValueError, match=message):
        parse_amount(text)
`,
  divide: `import pytest

from calc.ops import divide


def test_divides():
    assert divide(6, 3) == 2


def test_refuses_zero():
    with pytest.raises(ZeroDivisionError, match="cannot divide by zero"):
        divide(1, 0)
`,
  allocate_order: `import pytest

from warehouse.stock import MAX_ORDER_LINES, allocate_order


def test_takes_the_order():
    assert allocate_order({"AB-1": 5}, {"ab-1": 2}) == {"AB-1": 2}


def test_refuses_a_short_stock():
    with pytest.raises(LookupError, match="short of AB-1"):
        allocate_order({"AB-1": 1}, {"ab-1": 2})


@pytest.mark.parametrize("qty", [0, 10_001])
def test_refuses_bad_quantities(qty):
    with pytest.raises(ValueError, match="bad quantity"):
        allocate_order({"AB-1": 20_000}, {"AB-1": qty})


def test_refuses_long_orders():
    order = {f"AB-{i}": 1 for i in range(MAX_ORDER_LINES + 1)}
    with pytest.raises(ValueError, match="too many lines"):
        allocate_order({}, order)
`,
};

function answerFor(body: ChatRequestBody): string {
  const prompt = body.messages.find((m) => m.role === 'user')?.content ?? '';
  const name = /Write pytest tests for `([^`]+)`/.exec(prompt)?.[1] ?? '';
  const code =
    ANSWERS[name.split('.').at(-1) ?? ''] ??
    `def test_placeholder():\n    assert ${JSON.stringify(name)}\n`;
  return `Here are the tests.\n\n\`\`\`python\n${code}\`\`\``;
}

const tokensOf = (messages: ChatMessage[]): number =>
  messages.reduce((n, m) => n + countTokens(m.content), 0);

const image = await ensureSandboxImage();
const runner = createDockerRunner();
const server = await startFakeOpenAIServer({ responder: (body) => ({ content: answerFor(body) }) });
const redis = createRedisConnection({
  url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  role: 'worker',
});
const prefix = `testgate-bench:${randomUUID()}:`;

let oursTotal = 0;
let wholeTotal = 0;
const callRows: string[] = [];
try {
  console.log(
    'repo            target                 file lines  whole-file  ours  ratio  context kept / dropped',
  );
  for (const repo of repos) {
    const base: TreeInput = { kind: 'dir', path: path.join(repo.root, 'base') };
    const head: TreeInput = { kind: 'dir', path: path.join(repo.root, 'head') };
    const analysis = await runHarness(runner, { mode: 'analyze', image, base, head });
    const targets = targetsFromAnalysis(analysis);
    for (const target of targets) {
      const file = await readFile(path.join(repo.root, 'head', target.context.file), 'utf8');
      const testPath = 'tests/test_testgate_x.py';
      const context = buildContext(target, { maxTokens: BUDGET });
      const ours = tokensOf(firstPrompt(target, context, testPath));
      // Baseline: the same prompt, with the whole file where our context goes.
      const whole = tokensOf(
        firstPrompt(
          target,
          { ...context, text: `### ${target.context.file}\n\`\`\`python\n${file}\n\`\`\`` },
          testPath,
        ),
      );
      oursTotal += ours;
      wholeTotal += whole;
      console.log(
        `${repo.name.padEnd(15)} ${target.context.qualname.padEnd(22)} ${String(file.split('\n').length).padStart(10)}` +
          `  ${String(whole).padStart(10)}  ${String(ours).padStart(4)}  ${(whole / ours).toFixed(1).padStart(5)}` +
          `  ${context.kept.length} / ${context.dropped.length}${context.targetLinesOmitted ? `, ${context.targetLinesOmitted} target lines cut` : ''}`,
      );
    }

    // The same head SHA twice: the second run is served by the cache.
    const evaluate = async (files: CandidateFile[]) => {
      const evidence = await runHarness(runner, {
        mode: 'evaluate',
        image,
        base,
        head,
        candidates: files.map((f) => ({
          path: f.path,
          content: f.content,
          origin: 'generated' as const,
          generator: f.generator,
        })),
        settings: { includePrTests: false, reruns: 1 },
      });
      return candidateEvaluationFrom(judge(evidence, defaultConfig), evidence);
    };
    for (const runName of ['first run', 'second run']) {
      const before = server.requests.length;
      const started = performance.now();
      const result = await generateWithModel({
        targets,
        evaluate,
        provider: createOpenAIProvider({ apiKey: 'bench', baseURL: server.url }),
        config: { model: 'gpt-4o-mini', contextTokens: BUDGET },
        cache: createRedisCompletionCache({ client: redis, prefix }),
        throttle: createThrottle(),
      });
      const s = result.summary;
      callRows.push(
        `${repo.name.padEnd(15)} ${runName.padEnd(10)}  model calls ${s.modelCalls} (server saw ${server.requests.length - before}), ` +
          `cache hits ${s.cacheHits}, tokens ${s.promptTokens}+${s.completionTokens}, $${s.costUsd.toFixed(6)}, ` +
          `accepted ${s.accepted}/${s.candidates}, ${Math.round(performance.now() - started)} ms`,
      );
    }
  }
} finally {
  await server.close();
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
}
console.log('');
for (const row of callRows) console.log(row);
console.log(`whole-file tokens ${wholeTotal}, our tokens ${oursTotal}`);
console.log(`ratio: ${(wholeTotal / oursTotal).toFixed(2)}`);
