"""The evaluation's time budget is sized to the runs it found, within the caller's cap."""

import os
import sys
import types

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import tg_evaluate  # noqa: E402


def sized(tests: int, deadline_seconds=None, strength=None) -> float:
    evaluator = types.SimpleNamespace(
        strength=strength,
        settings={'reruns': 4, 'cpuSecondsPerTest': 3, 'wallSecondsPerTest': 7},
        started=1000.0,
        not_after=None if deadline_seconds is None else 1000.0 + deadline_seconds - tg_evaluate.BUDGET_RESERVE_SECONDS,
        budget_seconds=deadline_seconds,
    )
    tg_evaluate.Evaluator._size_budget(evaluator, tests)
    assert evaluator.not_after == 1000.0 + evaluator.budget_seconds - tg_evaluate.BUDGET_RESERVE_SECONDS
    return evaluator.budget_seconds


def test_the_start_plus_every_run_at_its_own_limit():
    # 3 tests, 4 runs each, at most 7 s (the wall limit) + 2 s each, after 90 s for the start.
    assert sized(3, deadline_seconds=1800) == 90 + 3 * 4 * 9


def test_never_under_the_minimum_and_never_over_the_cap():
    assert sized(0, deadline_seconds=1800) == tg_evaluate.MIN_BUDGET_SECONDS
    assert sized(1000, deadline_seconds=1800) == 1800
    assert sized(1000) == 90 + 1000 * 4 * 9  # no cap given: sized to the runs alone


def test_the_strength_step_adds_a_base_run_per_test_and_the_mutation_budget():
    strength = types.SimpleNamespace(base_runs=True, mutation={'enabled': True, 'seconds': 60}, mutants=[{}])
    assert sized(3, deadline_seconds=1800, strength=strength) == 90 + 3 * 5 * 9 + 60
    # No mutant to run: no mutation budget.
    strength.mutants = []
    assert sized(3, deadline_seconds=1800, strength=strength) == 90 + 3 * 5 * 9
