/** The "Add tests" click over an in-memory CodeHost: what is committed, and what the check says. */
import { ActionJobDataSchema } from '@testgate/queue';
import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { addSuggestedTests } from '../src/add-tests-processor.ts';
import type { StoredSuggestions } from '../src/suggestion-store.ts';
import { createMemoryHost, type MemoryHost } from './memory-host.ts';

const JUDGED = 'b'.repeat(40);

const request = ActionJobDataSchema.parse({
  host: { kind: 'github', installationId: 1 },
  owner: 'octo',
  repo: 'calc',
  pullNumber: 7,
  headSha: JUDGED,
  checkRunId: 42,
  requestedBy: 'mona',
  deliveryId: 'delivery-2',
});

const stored: StoredSuggestions = {
  owner: 'octo',
  repo: 'calc',
  pullNumber: 7,
  headSha: JUDGED,
  suggestions: [
    {
      path: 'tests/test_calc_testgate.py',
      content: 'def test_add():\n    assert add(1, 2) == 3\n',
      targets: ['calc.add'],
      generator: 'builtin',
      tests: ['tests/test_calc_testgate.py::test_add'],
      covers: { 'calc.py': [3] },
    },
  ],
  createdAt: new Date().toISOString(),
};

function hostWithCheck(pull: Parameters<typeof createMemoryHost>[0] = {}): MemoryHost {
  const host = createMemoryHost({ headSha: JUDGED, ...pull });
  host.checks.push({
    id: 42,
    headSha: JUDGED,
    key: 'job',
    completed: true,
    conclusion: 'success',
    output: { title: 'All tests accepted', summary: 'The verdict' },
    offerAddTests: true,
  });
  return host;
}

function click(host: MemoryHost, options: { expired?: boolean } = {}) {
  const load = options.expired === true ? undefined : stored;
  const store = { load: vi.fn(async () => load), finish: vi.fn(async () => {}) };
  const state = { committed: false };
  const log = pino({ level: 'silent' });
  return { store, state, done: addSuggestedTests({ host, store, request, log, state }) };
}

describe('addSuggestedTests', () => {
  it('commits the stored tests on the judged head, with the trailer, and says so above the verdict', async () => {
    const host = hostWithCheck();
    const commit = vi.spyOn(host, 'commitFiles');
    const { store, state, done } = click(host);

    expect(await done).toEqual({ outcome: 'committed', commitSha: 'c'.repeat(40) });
    expect(commit).toHaveBeenCalledWith(
      expect.objectContaining({
        branch: 'feature',
        parentSha: JUDGED,
        files: [{ path: 'tests/test_calc_testgate.py', content: stored.suggestions[0]!.content }],
        message: expect.stringContaining('\nTestgate-Suggested: true\n'),
      }),
    );
    expect(state.committed).toBe(true);
    expect(store.finish).toHaveBeenCalledWith('octo', 'calc', 42, 'c'.repeat(40));
    const check = host.checks[0]!;
    expect(check.output.summary).toMatch(
      /^> \*\*Add tests\*\*: Added 1 suggested tests in ccccccc/,
    );
    expect(check.output.summary).toContain('The verdict');
    expect(check.offerAddTests).toBe(false);
  });

  it('commits nothing when the branch moved on since the judged head, and says where it is now', async () => {
    const host = hostWithCheck({ headSha: 'e'.repeat(40) });
    const { state, done } = click(host);

    expect(await done).toEqual({ outcome: 'head-moved' });
    expect(host.calls).not.toContain('commitFiles');
    expect(state.committed).toBe(false);
    expect(host.checks[0]!.output.summary).toContain('is now at eeeeeee');
  });

  it('refuses a fork without reading the store', async () => {
    const host = hostWithCheck({ fromFork: true });
    const { store, done } = click(host);

    expect(await done).toEqual({ outcome: 'fork' });
    expect(store.load).not.toHaveBeenCalled();
    expect(host.checks[0]!.output.summary).toContain('Cannot push to a fork');
  });

  it('says the suggestions expired when the store no longer has them (before saying closed)', async () => {
    const host = hostWithCheck({ open: false });
    const { done } = click(host, { expired: true });

    expect(await done).toEqual({ outcome: 'expired' });
    expect(host.checks[0]!.output.summary).toContain('Suggested tests expired');
  });
});
