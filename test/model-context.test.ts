/**
 * Context trimming on a real 3,000-line module: the harness's analyze mode finds the changed
 * function and what it uses; the context keeps the target and its imports within the budget.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Analysis } from '@testgate/core';
import {
  buildContext,
  countTokens,
  firstPrompt,
  targetsFromAnalysis,
  type GenerationTarget,
} from '@testgate/generator';
import { createDockerRunner, ensureSandboxImage, runHarness } from '@testgate/sandbox';
import { beforeAll, describe, expect, it } from 'vitest';

const FIXTURE = fileURLToPath(new URL('../bench/data/large-module/', import.meta.url));

let analysis: Analysis;
let target: GenerationTarget;
let moduleSource: string;

beforeAll(async () => {
  const image = await ensureSandboxImage();
  analysis = await runHarness(createDockerRunner(), {
    mode: 'analyze',
    image,
    base: { kind: 'dir', path: `${FIXTURE}base` },
    head: { kind: 'dir', path: `${FIXTURE}head` },
  });
  const targets = targetsFromAnalysis(analysis);
  expect(targets.map((t) => t.context.qualname)).toEqual(['allocate_order']);
  target = targets[0]!;
  moduleSource = await readFile(`${FIXTURE}head/warehouse/stock.py`, 'utf8');
});

const sourceLines = () => target.context.source.split('\n').filter((l) => l.trim() !== '');

describe('buildContext on a 3,000-line module', () => {
  it('sends the whole target and its imports in 2048 tokens, a fraction of the file', () => {
    expect(moduleSource.split('\n').length).toBeGreaterThanOrEqual(3000);
    const context = buildContext(target, { maxTokens: 2048 });
    expect(context.tokens).toBe(countTokens(context.text));
    expect(context.tokens).toBeLessThanOrEqual(2048);
    expect(context.targetLinesOmitted).toBe(0);
    // Every line of the target, untouched apart from the "changed" markers.
    for (const line of sourceLines()) expect(context.text).toContain(line);
    expect(context.text).toContain('from typing import Any, Callable, Dict');
    expect(context.text).toContain('def normalize_sku(sku: str) -> str:');
    expect(context.text).toContain('MAX_LINE_QUANTITY = 10_000');
    expect(context.text).not.toContain('def helper_');
    const wholeFile = countTokens(moduleSource);
    expect(wholeFile / context.tokens).toBeGreaterThan(10);
    // The prompt tells the model how the tests import the module.
    const prompt = firstPrompt(target, context, 'tests/test_testgate_stock_allocate_order.py');
    expect(prompt[1]!.content).toContain('from warehouse.stock import allocate_order');
  });

  it('drops the test style first, then far uses, and keeps the target and its imports on a tight budget', () => {
    const full = buildContext(target, { maxTokens: 2048 });
    const budget = full.tokens - 60;
    const context = buildContext(target, { maxTokens: budget });
    expect(context.tokens).toBeLessThanOrEqual(budget);
    expect(context.kept[0]).toBe('target');
    expect(context.kept).toContain('imports');
    expect(context.dropped[0]).toBe('test-style');
    for (const line of sourceLines()) expect(context.text).toContain(line);

    // Tighter: only the target and the imports it needs are left.
    const bare = buildContext(target, { maxTokens: 480 });
    expect(bare.tokens).toBeLessThanOrEqual(480);
    expect(bare.kept.slice(0, 2)).toEqual(['target', 'imports']);
    expect(bare.dropped).toEqual(
      expect.arrayContaining(['test-style', 'use:SKU_PATTERN', 'unused-imports']),
    );
    expect(bare.text).toContain('from typing import Any, Callable, Dict');
    expect(bare.text).not.toContain('import hashlib');
    for (const line of sourceLines()) expect(bare.text).toContain(line);
  });

  it('cuts the body of a target larger than the budget, keeping its signature and changed raise lines', () => {
    const context = buildContext(target, { maxTokens: 200 });
    expect(context.tokens).toBeLessThanOrEqual(200);
    expect(context.kept).toEqual(['target']);
    expect(context.targetLinesOmitted).toBeGreaterThan(0);
    expect(context.text).toMatch(/# \.\.\. \(\d+ lines? omitted to fit the token budget\)/);
    expect(context.text).toContain(
      'def allocate_order(stock: Dict[str, int], order: Dict[str, int]) -> Dict[str, int]:',
    );
    expect(context.text).toContain('raise LookupError(f"short of {key}: {available} < {qty}")');
  });
});
