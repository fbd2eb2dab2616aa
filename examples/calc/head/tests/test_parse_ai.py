"""Tests an assistant wrote for the new parse_amount. Each one shows one Testgate reason
(see ../README.md); only the first is worth keeping."""
import os
import sys
import time

import pytest

from calc import add, parse_amount
from calc.ops import divide


def test_parse_amount_good():
    # accepted: checks the happy path (rounded to cents) and reaches the new error path.
    assert parse_amount(" 12.567 ") == 12.57
    with pytest.raises(ValueError, match="not a number"):
        parse_amount("twelve")


def test_parse_amount_shell():
    # unsafe: runs a shell command.
    os.system("echo hello")
    assert parse_amount("3") == 3.0


def test_parse_amount_wrong():
    # failed: the expectation is wrong (amounts are rounded to cents).
    assert parse_amount("1.234") == 1.234


def test_parse_amount_flaky():
    # flaky: the outcome depends on whether a tracer (coverage, a debugger) is active, the
    # way timing-dependent tests behave. Testgate measures coverage on the first run only,
    # so the runs disagree every time (a random outcome would agree across 3 runs 1 in 4 times).
    with pytest.raises(ValueError):
        parse_amount("-1")
    assert sys.gettrace() is None


def test_parse_amount_slow():
    # slow: burns about 0.8 s of CPU (no sleep, so no static rule fires).
    deadline = time.perf_counter() + 0.8
    while time.perf_counter() < deadline:
        pass
    with pytest.raises(ValueError):
        parse_amount("")
    assert parse_amount("1.006") == 1.01


def test_parse_amount_no_assert():
    # no-assert: calls the code and checks nothing.
    parse_amount("4")


def test_divide_happy_only():
    # misses-error-path: divide() is new and raises on b == 0, but no test reaches that raise.
    assert divide(6, 3) == 2


def test_parse_amount_patched(monkeypatch):
    # tampering: patches a builtin so the code under test cannot fail.
    import builtins

    monkeypatch.setattr(builtins, "round", lambda value, digits=0: 7.0)
    with pytest.raises(ValueError):
        parse_amount("x")
    assert parse_amount("1") == 7.0


def test_parse_amount_trivial():
    # trivial-assert: the only assertion is always true.
    value = parse_amount("5")
    assert value == value


@pytest.mark.skip(reason="written later")
def test_parse_amount_skipped():
    # skipped: proves nothing.
    with pytest.raises(ValueError):
        parse_amount("nope")


def test_parse_amount_hangs():
    # timeout: never returns; killed at the CPU deadline.
    while True:
        parse_amount("1")


def test_parse_amount_chatty():
    # resource-limit: floods the output (the sandbox caps it at 2 MB per run).
    for _ in range(300):
        print("parsed", parse_amount("1") * 10_000, "x" * 10_000)
    with pytest.raises(ValueError):
        parse_amount("")


def test_add_again():
    # no-coverage-gain: tests code the pull request did not change.
    assert add(1, 2) == 3
