"""The rule registry: every rule declared once with its facts, every check run by the scanner."""

import ast
import textwrap

import pytest

import tg_rule_registry
import tg_rules
from tg_rule_names import RUNNER_MODULES
from tg_rule_registry import EVENTS, Hit, advice, checks, rule

CONFIG_LEVEL = {"TG-CONFTEST", "TG-CONFIG", "TG-SITECUSTOMIZE", "TG-PTH"}


def scan(tmp_path, code, name="test_sample.py"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(code).lstrip("\n"))
    return tg_rules.scan_test_file(str(path), f"tests/{name}")


def test_every_rule_has_its_facts_and_a_check():
    checked = {rule_id for event in EVENTS for rule_id, _check in checks(event)}
    assert checked == set(tg_rules.RULES)
    for rule_id, r in tg_rule_registry.RULES.items():
        assert (r.reason, r.severity, r.message) == tg_rules.RULES[rule_id]
        assert r.advice and r.advice == tg_rules.ADVICE[rule_id]


def test_config_level_rules_check_changed_files_only():
    by_event = {event: {rule_id for rule_id, _check in checks(event)} for event in EVENTS}
    for rule_id in CONFIG_LEVEL:
        assert [e for e, ids in by_event.items() if rule_id in ids] == ["changed_file"]


def test_advice_is_keyed_by_rule_id():
    assert "nosec" in advice("TG-NOSEC")
    assert "tmp_path" in advice("TG-WRITE-OUTSIDE-TMP")
    assert advice("B602") is None and advice("AUDIT-os.system") is None


def test_a_rule_is_declared_once():
    with pytest.raises(ValueError, match="declared twice"):
        rule("TG-SLEEP", on="call", reason="unsafe", severity="medium", message="m", advice="a")


def test_a_new_rule_needs_its_facts_on_its_first_check():
    with pytest.raises(ValueError, match="declares"):
        rule("TG-NOT-DECLARED", on="call")
    with pytest.raises(ValueError, match="together"):
        rule("TG-HALF-DECLARED", on="call", reason="unsafe")
    assert "TG-HALF-DECLARED" not in tg_rule_registry.RULES


def test_a_registered_check_runs_on_its_event(tmp_path, monkeypatch):
    """Adding a rule is adding one registered function: the scanner runs it without edits."""
    monkeypatch.setattr(tg_rule_registry, "RULES", dict(tg_rule_registry.RULES))
    monkeypatch.setattr(tg_rule_registry, "_CHECKS", {e: list(c) for e, c in tg_rule_registry._CHECKS.items()})

    @rule(
        "TG-PRINT",
        on="call",
        reason="tampering",
        severity="low",
        message="printing is noise",
        advice="assert on the value instead of printing it",
    )
    def print_call(ctx):
        return Hit(f"calls {ctx.name}()") if ctx.name == "print" else None

    result = scan(tmp_path, "def test_a():\n    print(1)\n    assert True\n")
    [found] = result["functions"]["test_a"]["findings"]
    assert (found["rule"], found["line"], found["severity"], found["reason"]) == ("TG-PRINT", 2, "low", "tampering")
    assert found["message"] == "calls print(): printing is noise"


def test_a_check_may_set_the_line_and_severity(tmp_path, monkeypatch):
    monkeypatch.setattr(tg_rule_registry, "RULES", dict(tg_rule_registry.RULES))
    monkeypatch.setattr(tg_rule_registry, "_CHECKS", {e: list(c) for e, c in tg_rule_registry._CHECKS.items()})

    @rule("TG-LONG-TEST", on="function", reason="tampering", severity="low", message="long", advice="split it")
    def long_test(ctx):
        return [Hit("ends here", "medium", ctx.node.end_lineno)] if ctx.node.end_lineno - ctx.node.lineno > 1 else None

    result = scan(tmp_path, "def test_a():\n    x = 1\n    assert x\n")
    [found] = result["functions"]["test_a"]["findings"]
    assert (found["line"], found["severity"]) == (3, "medium")


def test_the_rule_modules_are_the_gates_own(tmp_path):
    assert {"tg_rules", "tg_rule_registry", "tg_rule_scanner", "tg_rules_calls", "tg_truth"} <= RUNNER_MODULES
    result = scan(tmp_path, "import tg_rule_registry\n\ndef test_a():\n    assert tg_rule_registry\n")
    assert [(f["rule"], f["severity"]) for f in result["module"]] == [("TG-TOOL-INTERNALS", "high")]


def test_the_facade_keeps_its_entry_points():
    assert tg_rules.truth(ast.parse("1 == 1", mode="eval").body) is True
    assert tg_rules.finding("TG-EXIT", "t.py", 3, "calls sys.exit()")["message"].startswith("calls sys.exit(): ")
    for name in ("scan_test_file", "scan_config_tampering", "asserting_helpers", "function_info"):
        assert callable(getattr(tg_rules, name))


def test_a_finding_carries_its_rules_advice_bounded(tmp_path):
    # The policy shows this text (packages/core/src/policy.ts falls back to its own table
    # only for ids that are not registered: Bandit's and AUDIT-*).
    f = tg_rule_registry.finding("TG-NOSEC", "tests/test_a.py", 3, '"# nosec" comment')
    assert f["advice"] == 'remove "# nosec": findings cannot be silenced in tests'
    for rule_id, r in tg_rule_registry.RULES.items():
        text = tg_rule_registry.finding(rule_id, "t.py", 1, "x")["advice"]
        assert text == r.advice and len(text) <= tg_rule_registry.ADVICE_LIMIT
    scanned = scan(tmp_path, "import socket\n\n\ndef test_a():\n    socket.socket()\n")
    found = scanned["module"] + [f for fn in scanned["functions"].values() for f in fn["findings"]]
    assert [x["advice"] for x in found if x["rule"] == "TG-NETWORK"] == [
        "tests must not use the network (the sandbox has none); mock the client instead"
    ]
