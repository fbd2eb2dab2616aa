"""Rules on tampering with the runner and the measurement: pytest hooks and autouse fixtures
in test files, pytest's internals, tracers and audit hooks, frame introspection, signals and
limits, and comments that hide code from Bandit or coverage.
"""

from __future__ import annotations

import ast
import re

from tg_rule_names import AUDIT, FRAME_ATTRS, FRAME_CALLS, LIMITS, RUNNER_ATTRS, TRACE, TRACE_PREFIXES
from tg_rule_registry import HOW_TESTS_RUN, Hit, TAMPERING_FALLBACK, declare, rule
from tg_rules_patching import attribute_store
from tg_truth import truth

NOSEC_RE = re.compile(r"#.*\bnosec\b", re.IGNORECASE)
NOCOVER_RE = re.compile(r"#.*\bpragma\s*:\s*no\s*(cover|branch)\b", re.IGNORECASE)

# Found by several checks in other modules (imports, config files); declared here, with its kind.
declare(
    "TG-TOOL-INTERNALS",
    reason="tampering",
    severity="medium",
    message="pytest/coverage internals let a test rewrite its own outcome or coverage",
    advice="tests must not reach into pytest's, coverage's or Bandit's internals: use pytest's public API "
    "(fixtures, monkeypatch, tmp_path)",
)


@rule(
    "TG-PYTEST-HOOK",
    on="function",
    reason="tampering",
    severity="high",
    message="pytest hooks and plugins in a test file change how every test is collected and reported",
    advice="test code must not change how tests are collected, run, measured or reported",
)
def pytest_hook_def(ctx):
    name = ctx.node.name
    return Hit(f"defines pytest hook `{name}`") if ctx.module_level and name.startswith("pytest_") else None


@rule("TG-PYTEST-HOOK", on="assign")
def pytest_hook_assign(ctx):
    if not ctx.module_level:
        return None
    found = []
    for t in ctx.node.targets:
        if isinstance(t, ast.Name) and t.id == "pytest_plugins":
            found.append(Hit("sets `pytest_plugins`"))
        elif isinstance(t, ast.Name) and t.id.startswith("pytest_"):
            # `pytest_runtest_makereport = _f` is a hook as much as a `def` is.
            found.append(Hit(f"binds pytest hook `{t.id}` by assignment"))
    return found


@rule(
    "TG-AUTOUSE",
    on="function",
    reason="tampering",
    severity="medium",
    message="an autouse fixture runs around every test of the file without being asked for",
    advice=HOW_TESTS_RUN,
)
def autouse_fixture(ctx):
    return [
        Hit(f"fixture `{ctx.node.name}` is autouse")
        for dec in ctx.node.decorator_list
        if isinstance(dec, ast.Call) and ctx.is_fixture_decorator(dec)
        for kw in dec.keywords
        if kw.arg == "autouse" and truth(kw.value) is not False
    ]


@rule("TG-TOOL-INTERNALS", on="store")
def runner_state_store(ctx):
    kind, base = attribute_store(ctx)
    attr = ctx.node.attr if kind else None
    if kind == "config":
        return Hit(f"assigns {base}.{attr}")
    if kind == "pytest":
        # pytest.TestReport.from_item_and_call = ...: the report every test gets.
        return Hit(f"assigns {base}.{attr}", "high")
    if kind == "runner":
        return Hit(f"replaces {base or '<item>'}.{attr}, which runs or reports a test", "high")
    return None


@rule("TG-TOOL-INTERNALS", on="attribute")
def runner_attribute(ctx):
    attr = ctx.node.attr
    return (
        Hit(f"reaches pytest's `{attr}`, which runs and reports every test", "high") if attr in RUNNER_ATTRS else None
    )


@rule(
    "TG-TRACE",
    on="call",
    reason="tampering",
    severity="high",
    message="sys.settrace/setprofile replace the tracer coverage measures with",
    advice=TAMPERING_FALLBACK,
)
def trace_call(ctx):
    return Hit(f"calls {ctx.name}") if ctx.name in TRACE or ctx.name.startswith(TRACE_PREFIXES) else None


@rule("TG-TRACE", on="reference")
def trace_reference(ctx):
    return Hit(f"uses {ctx.name}") if ctx.name in TRACE else None


@rule(
    "TG-AUDIT-HOOK",
    on="call",
    reason="tampering",
    severity="high",
    message="audit hooks are the gate's run-time guard; tests must not add their own",
    advice=HOW_TESTS_RUN,
)
def audit_hook_call(ctx):
    return Hit(f"calls {ctx.name}") if ctx.name in AUDIT else None


@rule("TG-AUDIT-HOOK", on="reference")
def audit_hook_reference(ctx):
    return Hit(f"uses {ctx.name}") if ctx.name in AUDIT else None


@rule(
    "TG-FRAME",
    on="call",
    reason="tampering",
    severity="high",
    message="frame and gc introspection reach into the test runner's own state",
    advice=TAMPERING_FALLBACK,
)
def frame_call(ctx):
    return Hit(f"calls {ctx.name}") if ctx.name in FRAME_CALLS else None


@rule("TG-FRAME", on="attribute")
def frame_attribute(ctx):
    attr = ctx.node.attr
    return Hit(f"reads frame attribute `{attr}`") if attr in FRAME_ATTRS else None


@rule(
    "TG-LIMITS",
    on="call",
    reason="tampering",
    severity="high",
    message="signal handlers, resource limits and new sessions can dodge the gate's time and memory limits",
    advice=TAMPERING_FALLBACK,
)
def limits_call(ctx):
    return Hit(f"calls {ctx.name}") if ctx.name in LIMITS else None


@rule(
    "TG-NOSEC",
    on="comment",
    reason="tampering",
    severity="medium",
    message="`# nosec` hides a line from Bandit",
    advice='remove "# nosec": findings cannot be silenced in tests',
)
def nosec_comment(comment):
    return Hit("`# nosec` comment") if NOSEC_RE.search(comment.text) else None


@rule(
    "TG-NO-COVER",
    on="comment",
    reason="tampering",
    severity="medium",
    message="`# pragma: no cover` hides code from the coverage measurement",
    advice='remove "# pragma: no cover": it hides code from the coverage check',
)
def no_cover_comment(comment):
    return Hit("`# pragma: no cover` comment") if NOCOVER_RE.search(comment.text) else None
