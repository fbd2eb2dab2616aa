"""Tests an assistant wrote for the new parse_amount. Each one shows one Testgate reason
(see ../README.md); only the first is worth keeping."""
import os
import time

import pytest

from calc import add, parse_amount


def test_parse_amount_good():
    # accepted: checks the happy path and reaches the new error path.
    assert parse_amount(" 12.5 ") == 12.5
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
    # flaky: depends on random bytes, so reruns disagree.
    with pytest.raises(ValueError):
        parse_amount("-1")
    assert os.urandom(1)[0] % 2 == 0


def test_parse_amount_slow():
    # slow: burns about 0.8 s of CPU (no sleep, so no static rule fires).
    deadline = time.perf_counter() + 0.8
    while time.perf_counter() < deadline:
        pass
    with pytest.raises(ValueError):
        parse_amount("")


def test_parse_amount_no_assert():
    # no-assert: calls the code and checks nothing.
    parse_amount("4")


def test_parse_amount_happy_only():
    # misses-error-path: only the happy path of a function whose change adds raises.
    assert parse_amount("1,234.5") == 1234.5


def test_parse_amount_patched(monkeypatch):
    # tampering: patches a builtin so the code under test cannot fail.
    import builtins

    monkeypatch.setattr(builtins, "round", lambda value, digits=0: 7.0)
    with pytest.raises(ValueError):
        parse_amount("x")
    assert parse_amount("1") == 7.0


def test_parse_amount_trivial():
    # trivial-assert: the assertion is always true.
    with pytest.raises(ValueError):
        parse_amount("   ")
    assert True


@pytest.mark.skip(reason="written later")
def test_parse_amount_skipped():
    # skipped: proves nothing.
    with pytest.raises(ValueError):
        parse_amount("nope")


def test_parse_amount_hangs():
    # timeout: never returns; killed at the CPU deadline.
    while True:
        parse_amount("1")


def test_add_again():
    # no-coverage-gain: tests code the pull request did not change.
    assert add(1, 2) == 3
