"""Static AST rules for test files: what Bandit misses, and what tampers with the gate.

The facade the harness calls (`import tg_rules`): scan a test file, scan the config files a
pull request changed, count a function's asserts, index the repository's asserting helpers.
Each rule has a stable id (RULES.md lists them) and is one registered check per event
(tg_rule_registry), grouped by concern:

    tg_rules_calls.py       processes, network, native code, sleep, env, writes, exit, eval, reflection
    tg_rules_imports.py     dynamic imports, tool and gate modules, sys.path
    tg_rules_patching.py    builtins, sys.modules
    tg_rules_tampering.py   pytest hooks, autouse, runner internals, tracing, audit hooks, frames,
                            signals/limits, `# nosec` / `# pragma: no cover` comments
    tg_rules_assertions.py  catch-all handlers that swallow assertion failures
    tg_rules_config.py      conftest.py, pytest/coverage/bandit config, sitecustomize, .pth

tg_rule_scanner.py walks the AST and runs the checks, tg_rule_names.py holds the name tables,
tg_truth.py decides "always true", tg_assert_count.py counts assertions. A finding is a
dict shaped like findingSchema in packages/core/src/evidence.ts. Static rules are a first
line only: the audit hook (tg_audit_bootstrap.py) sees the same calls at run time however
they are spelled. They lean towards flagging: the gate's bar is zero unsafe tests accepted.
"""

from __future__ import annotations

from tg_assert_count import asserting_helpers, count_asserts, function_info, trivial_unittest
from tg_rule_names import Names
from tg_rule_registry import RULES as _REGISTERED
from tg_rule_registry import Rule, advice, finding
from tg_rule_scanner import comment_findings, dedupe, scan_source, scan_test_file
from tg_rules_config import scan_config_tampering
from tg_truth import truth

# rule id -> (reason, default severity, why it matters)
RULES: dict[str, tuple[str, str, str]] = {r.id: (r.reason, r.severity, r.message) for r in _REGISTERED.values()}
# rule id -> what to do about a finding
ADVICE: dict[str, str] = {r.id: r.advice for r in _REGISTERED.values()}

# The names this module had before the rules were split out.
_Names = Names
_count_asserts = count_asserts
_trivial_unittest = trivial_unittest
_comment_findings = comment_findings
_scan_source = scan_source
_dedupe = dedupe

__all__ = [
    "ADVICE",
    "RULES",
    "Rule",
    "advice",
    "asserting_helpers",
    "finding",
    "function_info",
    "scan_config_tampering",
    "scan_test_file",
    "truth",
]
