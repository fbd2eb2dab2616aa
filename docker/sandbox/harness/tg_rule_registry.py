"""The rule registry: each static rule is a small function registered with its id.

Modelled on Bandit's plugins (`@test.checks('Call')` over one function per check). A rule's
facts (reason, severity, message, advice) are declared once, on the first function that
registers the id; further checks of the same rule (another kind of node) name the id only:

    @rule("TG-SLEEP", on="call", reason="unsafe", severity="medium",
          message="sleeping makes tests slow and timing-dependent; mock the clock instead",
          advice="tests must not sleep; mock the clock instead")
    def sleep_call(ctx):
        ...
        return Hit(f"calls {ctx.name}(...)")

A check receives a context (tg_rule_scanner.Context for AST events, a changed file for
"changed_file", a comment for "comment") and returns None, a Hit, or a list of Hits; the
scanner turns each Hit into a finding on the context's line. Checks of one event run in
registration order; the first finding of a rule on a line wins over a later one of the same
severity, so a check that finds several things returns them in the order they should win.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, NamedTuple

# Where a check can be attached (what the scanner or the config differ hands it).
EVENTS = (
    "call",  # ast.Call
    "reference",  # a Name bound by an import, or an Attribute, read (`f = os.system`)
    "attribute",  # an Attribute read
    "store",  # one target of an assignment, augmented assignment or `del` (ctx.stmt is the statement)
    "assign",  # an ast.Assign statement, after its targets' "store" checks
    "function",  # a def (before its body is visited)
    "import",  # ast.Import / ast.ImportFrom outside `if TYPE_CHECKING:`
    "raise",  # ast.Raise
    "handler",  # an except handler (ast.ExceptHandler)
    "with",  # ast.With / ast.AsyncWith
    "comment",  # a comment token of the file (tg_rule_scanner.Comment)
    "changed_file",  # a file the pull request changed (tg_rules_config.ChangedFile)
)
REASONS = ("unsafe", "tampering")
SEVERITIES = ("low", "medium", "high")

# Advice shared by several rules. A rule's advice travels on each of its findings
# (finding()["advice"]) and is the text the policy shows; packages/core/src/policy.ts keeps
# advice only for the ids that are not in this registry (Bandit's, AUDIT-*).
HOW_TESTS_RUN = "test code must not change how tests are collected, run, measured or reported"
DYNAMIC_CODE = "tests must not evaluate dynamic code"
# What the policy said of a tampering finding without advice of its own.
TAMPERING_FALLBACK = "tests must not change how tests are run, measured or reported"
# Findings carry at most this much advice (findingSchema's bound).
ADVICE_LIMIT = 500


def allow_rule_advice(rule_id: str) -> str:
    """What the policy said of an unsafe finding without advice of its own."""
    return f'remove the call, or add "{rule_id}" to security.allowRules in .github/testgate.yml if your team accepts it'


@dataclass(frozen=True)
class Rule:
    id: str
    reason: str  # the rejection reason it supports: unsafe or tampering
    severity: str  # default severity; a Hit may raise or lower it
    message: str  # why it matters: the tail of every finding's message
    advice: str  # what the author should do instead


class Hit(NamedTuple):
    what: str  # what was found: the head of the finding's message
    severity: str | None = None  # None: the rule's default
    line: int | None = None  # None: the context's line


Check = Callable[..., "Hit | Iterable[Hit] | None"]

RULES: dict[str, Rule] = {}
_CHECKS: dict[str, list[tuple[str, Check]]] = {event: [] for event in EVENTS}


def rule(
    rule_id: str,
    *,
    on: str | tuple[str, ...],
    reason: str | None = None,
    severity: str | None = None,
    message: str | None = None,
    advice: str | None = None,
) -> Callable[[Check], Check]:
    """Registers the decorated function as a check of `rule_id` for the event(s) `on`.

    The first registration of an id declares the rule (reason, severity, message, advice all
    given); later ones give none of them.
    """
    facts = (reason, severity, message, advice)
    if all(f is not None for f in facts):
        declare(rule_id, reason=reason, severity=severity, message=message, advice=advice)
    elif any(f is not None for f in facts):
        raise ValueError(f"{rule_id}: give reason, severity, message and advice together, once")
    elif rule_id not in RULES:
        raise ValueError(f"{rule_id}: the first check of a rule declares its reason, severity, message and advice")
    events = (on,) if isinstance(on, str) else tuple(on)

    def register(fn: Check) -> Check:
        for event in events:
            if event not in _CHECKS:
                raise ValueError(f"{rule_id}: unknown event {event!r}")
            _CHECKS[event].append((rule_id, fn))
        return fn

    return register


def declare(rule_id: str, *, reason: str, severity: str, message: str, advice: str) -> Rule:
    """Declares a rule whose findings are made outside the registered checks."""
    if rule_id in RULES:
        raise ValueError(f"{rule_id} is declared twice")
    if reason not in REASONS or severity not in SEVERITIES or not rule_id.startswith("TG-"):
        raise ValueError(f"{rule_id}: bad reason {reason!r} or severity {severity!r}")
    RULES[rule_id] = Rule(rule_id, reason, severity, message, advice)
    return RULES[rule_id]


def checks(event: str) -> list[tuple[str, Check]]:
    """(rule id, check) registered for `event`, in registration order."""
    return _CHECKS[event]


def hits(result) -> Iterable[Hit]:
    """A check's result as Hits."""
    if result is None:
        return ()
    if isinstance(result, Hit):
        return (result,)
    return result


def advice(rule_id: str) -> str | None:
    """What to do about a finding of `rule_id` (None for ids that are not ours: Bandit's, AUDIT-*)."""
    found = RULES.get(rule_id)
    return found.advice if found else None


def finding(rule_id: str, file: str, line: int, what: str, severity: str | None = None) -> dict:
    """A finding shaped like findingSchema in packages/core/src/evidence.ts."""
    r = RULES[rule_id]
    return {
        "rule": rule_id,
        "source": "ast",
        "reason": r.reason,
        "severity": severity or r.severity,
        "file": file,
        "line": max(0, int(line or 0)),
        "message": f"{what}: {r.message}"[:2000],
        "advice": r.advice[:ADVICE_LIMIT],
    }
