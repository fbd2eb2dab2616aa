/**
 * Test strength end to end (`testgate run` on small repositories built here, real git,
 * Docker and the sandbox image): each judged test also runs over the base code (its label)
 * and against mutants of the changed lines; a test that passes whatever the change
 * computes is rejected as `weak-oracle`, and surviving mutants are the reviewer's findings.
 */
import { ensureSandboxImage } from '@testgate/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changeJudge } from './judge-change.ts';

const changes = changeJudge('strength');
const judge = (...args: Parameters<typeof changes.judge>) => changes.judge(...args);

beforeAll(async () => {
  await ensureSandboxImage();
}, 20 * 60_000);

afterAll(() => changes.cleanup());

const CART_BASE = `class Cart:
    def __init__(self, member=False):
        self.items = []
        self.member = member

    def add(self, cents, quantity=1):
        self.items.append((cents, quantity))

    def total(self):
        return sum(cents * quantity for cents, quantity in self.items)
`;

/** total() gains a member discount: the changed function every test below runs. */
const CART_HEAD = `class Cart:
    def __init__(self, member=False):
        self.items = []
        self.member = member

    def add(self, cents, quantity=1):
        self.items.append((cents, quantity))

    def total(self):
        gross = sum(cents * quantity for cents, quantity in self.items)
        if self.member and gross >= 10_000:
            gross -= gross * 5 // 100
        return gross
`;

const STRONG_AND_WEAK = `from unittest import mock

import pytest

from shop import cart as cart_module
from shop.cart import Cart


def make(member, cents, quantity=1):
    cart = Cart(member=member)
    cart.add(cents, quantity)
    return cart


def test_member_over_the_threshold_pays_95_percent():
    assert make(True, 20_000).total() == 19_000


def test_member_at_the_threshold():
    assert make(True, 5_000, 2).total() == 9_500
    assert make(True, 9_999).total() == 9_999


def test_weak_equals_itself():
    total = make(True, 20_000).total()
    assert total == make(True, 20_000).total()


def test_weak_isinstance_object():
    assert isinstance(make(True, 20_000).total(), object)


def test_weak_length_of_text():
    assert len(str(make(True, 20_000).total())) >= 0


def test_weak_mock_of_itself():
    spy = mock.Mock(wraps=cart_module.Cart.total)
    spy(make(True, 20_000))
    spy.assert_called_once()


def test_weak_assert_in_try():
    try:
        assert make(True, 20_000).total() == 1
    except AssertionError:
        pass


def test_weak_raises_anything():
    with pytest.raises(Exception):
        make(True, 20_000).total() + "x"
`;

describe('weak oracles', () => {
  it('every weak oracle is weak-oracle, every strong test is accepted, and the survivors are findings', async () => {
    const { code, report } = await judge(
      'weak-and-strong',
      { files: { 'shop/__init__.py': '', 'shop/cart.py': CART_BASE } },
      {
        files: {
          'shop/__init__.py': '',
          'shop/cart.py': CART_HEAD,
          'tests/test_cart.py': STRONG_AND_WEAK,
        },
      },
    );
    expect(code).toBe(1);
    const byName = Object.fromEntries(report.tests.map((test) => [test.function, test]));
    for (const name of [
      'test_member_over_the_threshold_pays_95_percent',
      'test_member_at_the_threshold',
    ]) {
      expect(byName[name]!.status, name).toBe('accepted');
      expect(byName[name]!.strength!.killed, name).toBeGreaterThan(0);
    }
    const weak = Object.keys(byName).filter((name) => name.startsWith('test_weak_'));
    expect(weak).toHaveLength(6);
    for (const name of weak) {
      expect(byName[name]!.reasons, name).toContain('weak-oracle');
      expect(byName[name]!.label, name).toBe('passes-before');
      expect(byName[name]!.strength!.killed, name).toBe(0);
    }
    const weakDetail = byName['test_weak_isinstance_object']!.details.find(
      (detail) => detail.reason === 'weak-oracle',
    )!;
    expect(weakDetail.message).toMatch(
      /^covers \d+ mutants of the changed lines \(shop\/cart\.py:\d+ `.+` -> `.+`.*\) and fails on none of them at an assert/,
    );
    // The strong tests fail over the base code (no discount there) at their asserts.
    expect(byName['test_member_over_the_threshold_pays_95_percent']!.label).toBe('fails-before');
    expect(report.strength!.mutants).toBeGreaterThan(3);
    expect(report.strength!.score).toBeGreaterThan(0);
    expect(report.title).toMatch(/^6 of 8 tests rejected: .*weak-oracle \(6\)/);
  });
});

describe('fails before, passes before', () => {
  const MEDIAN_BASE = `def median(values):
    ordered = sorted(values)
    return ordered[len(ordered) // 2]
`;
  const MEDIAN_FIXED = `def median(values):
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2 == 0:
        return (ordered[middle - 1] + ordered[middle]) / 2
    return ordered[middle]
`;
  const REGRESSION = `from stats import median


def test_even_length_is_the_mean_of_the_middle_two():
    assert median([4, 1, 3, 2]) == 2.5
`;

  it("a bug fix's regression test is fails-before, which proves a fix the PR claims", async () => {
    const { code, report } = await judge(
      'bug-fix',
      // The config (.github/testgate.yml) is read at the base commit: a PR cannot loosen its own gate.
      {
        files: {
          'stats.py': MEDIAN_BASE,
          '.github/testgate.yml': 'require:\n  failsBefore: true\n',
        },
      },
      {
        files: {
          'stats.py': MEDIAN_FIXED,
          'tests/test_median.py': REGRESSION,
          '.github/testgate.yml': 'require:\n  failsBefore: true\n',
        },
      },
      { args: ['--fixes-bug'] },
    );
    expect(report.tests[0]).toMatchObject({
      status: 'accepted',
      label: 'fails-before',
      before: { outcome: 'failed', failedAt: 'check' },
    });
    expect(code).toBe(0);
  });

  const SPLIT_BASE = `def words(text):
    out = []
    for part in text.split(" "):
        if part:
            out.append(part.lower())
    return out
`;
  const SPLIT_REFACTORED = `def words(text):
    return [part.lower() for part in text.split(" ") if part != ""]
`;
  const GUARDS = `from textkit import words


def test_words_are_lowered():
    assert words("A b") == ["a", "b"]


def test_runs_of_spaces_make_no_empty_words():
    assert words("a  b") == ["a", "b"]
`;

  it('a refactoring guard is passes-before; a PR that says it fixes a bug with only those fails', async () => {
    const base = {
      files: {
        'textkit.py': SPLIT_BASE,
        '.github/testgate.yml': 'require:\n  failsBefore: true\n',
      },
    };
    const head = {
      files: {
        'textkit.py': SPLIT_REFACTORED,
        'tests/test_words.py': GUARDS,
        '.github/testgate.yml': 'require:\n  failsBefore: true\n',
      },
    };
    const plain = await judge('refactor', base, head);
    expect(plain.report.tests.map((test) => [test.function, test.label, test.status])).toEqual([
      ['test_words_are_lowered', 'passes-before', 'accepted'],
      ['test_runs_of_spaces_make_no_empty_words', 'passes-before', 'accepted'],
    ]);
    expect(plain.code).toBe(0);
    const claimed = await judge('refactor-claimed-fix', base, head, { args: ['--fixes-bug'] });
    expect(claimed.code).toBe(1);
    expect(claimed.report.tests.map((test) => test.reasons)).toEqual([
      ['passes-before'],
      ['passes-before'],
    ]);
    expect(claimed.report.tests[0]!.details[0]!.message).toContain(
      'this pull request says it fixes a bug, but none of its tests fails on the code before the change',
    );
  });
});

describe('mutants', () => {
  it('an equivalent mutant (x * 1) does not make a strong test weak', async () => {
    const { code, report } = await judge(
      'equivalent',
      { files: { 'scale.py': 'def scale(x, factor):\n    return x * factor\n' } },
      {
        files: {
          'scale.py':
            'def scale(x, factor):\n    if factor == 0:\n        raise ValueError("factor 0")\n    return x * factor * 1\n',
          'tests/test_scale.py':
            'import pytest\n\nfrom scale import scale\n\n\ndef test_scale():\n    assert scale(3, 2) == 6\n\n\ndef test_zero_factor():\n    with pytest.raises(ValueError):\n        scale(3, 0)\n',
        },
      },
    );
    expect(report.tests.map((test) => [test.function, test.status])).toEqual([
      ['test_scale', 'accepted'],
      ['test_zero_factor', 'accepted'],
    ]);
    expect(code).toBe(0);
    // `* 1` is never swapped (it keeps the value), so it is no survivor either.
    const survivors = report.strength!.survivors.map((m) => `${m.original} -> ${m.replacement}`);
    expect(survivors).not.toContain('* -> //');
  });

  it('the mutation caps hold on a file with hundreds of changed lines', async () => {
    const body = Array.from({ length: 300 }, (_, i) => `    y = y + ${i + 1}\n`).join('');
    const { report } = await judge(
      'many-lines',
      {
        files: {
          'sums.py': 'def total(y):\n    return y\n',
          '.github/testgate.yml': 'strength:\n  maxMutants: 25\n  maxMutantsPerLine: 1\n',
        },
      },
      {
        files: {
          'sums.py': `def total(y):\n${body}    return y\n`,
          'tests/test_sums.py':
            'from sums import total\n\n\ndef test_total():\n    assert total(0) == 45150\n',
          '.github/testgate.yml': 'strength:\n  maxMutants: 25\n  maxMutantsPerLine: 1\n',
        },
      },
    );
    expect(report.strength!.mutants).toBe(25);
    expect(report.strength!.capped).toBe(true);
    expect(report.tests[0]).toMatchObject({ status: 'accepted', label: 'fails-before' });
    expect(report.tests[0]!.strength!.killed).toBeGreaterThan(0);
  });
});
