"""Rules on patching what every test relies on: builtins and sys.modules, by assignment,
by their mutating methods, or through monkeypatch / mock.patch.
"""

from __future__ import annotations

import ast

from tg_rule_names import BENIGN_BUILTINS, BUILTINS_NAMES, MUTATORS, const_str
from tg_rule_registry import Hit, rule
from tg_rules_calls import reflected_module, sets_builtins

_BUILTINS_DICTS = ("builtins.__dict__", "__builtins__.__dict__")
_RUNNER_STATE = ("config", "session", "option", "_pytest", "node")
_RUNNER_METHODS = ("runtest", "ihook", "repr_failure", "reportinfo")


def attribute_store(ctx) -> tuple[str | None, str | None]:
    """(kind, base) of an assignment to an attribute: kind is "builtins" (`builtins.x = `),
    "sys.modules", "config" (`request.config.x = `), "pytest" (`pytest.X.y = `), "runner"
    (`item.runtest = `) or None. One kind per target: the first that matches, in that order."""
    target = ctx.node
    if not isinstance(target, ast.Attribute):
        return None, None
    base = ctx.q(target.value)
    if base in BUILTINS_NAMES or (isinstance(target.value, ast.Name) and target.value.id == "__builtins__"):
        return "builtins", base
    if base in ("sys.modules",):
        return "sys.modules", base
    if (
        base
        and base.split(".")[0] in ("pytestconfig", "request")
        and any(p in _RUNNER_STATE for p in base.split(".")[1:])
    ):
        return "config", base
    if base and base.split(".")[0] == "pytest":
        return "pytest", base
    if target.attr in _RUNNER_METHODS:
        return "runner", base
    return None, base


def _patch_target(ctx) -> tuple[str | None, str | None]:
    """(the first argument as a string literal, as a dotted name) of a monkeypatch/mock call."""
    first = ctx.node.args[0] if ctx.node.args else None
    return const_str(first), (ctx.q(first) if first is not None else None)


@rule(
    "TG-BUILTINS",
    on="call",
    reason="tampering",
    severity="high",
    message="patching builtins changes what every assertion and import means",
    advice="tests must not patch builtins or sys.modules; use monkeypatch on the module under test",
)
def builtins_call(ctx):
    found = []
    target = reflected_module(ctx)
    if target is not None and sets_builtins(ctx, target):
        found.append(Hit(f"{ctx.short}() on builtins"))
    if not ctx.attr:
        return found
    if (ctx.receiver in BUILTINS_NAMES or ctx.receiver in _BUILTINS_DICTS) and ctx.attr in MUTATORS:
        found.append(Hit(f"calls {ctx.receiver}.{ctx.attr}"))
    patched = _patched_builtin(ctx)
    if patched is not None:
        found.append(Hit(f"patches {patched}"))
    target_str, first_q = _patch_target(ctx)
    if ctx.attr == "dict" and (first_q in BUILTINS_NAMES or (target_str or "").startswith("builtins")):
        found.append(Hit("patch.dict on builtins"))
    return found


def _patched_builtin(ctx) -> str | None:
    """`builtins.x` patched by monkeypatch.setattr/delattr, mock.patch or patch.object (None
    for open/input/print: faking I/O through an undone patch is fine)."""
    attr, name = ctx.attr, ctx.name
    target_str, first_q = _patch_target(ctx)
    by_string = bool(target_str and target_str.startswith(("builtins.", "__builtin__.")))
    member_arg = const_str(ctx.node.args[1]) if len(ctx.node.args) > 1 else None
    if attr in ("setattr", "delattr"):
        if by_string:
            return target_str if target_str.split(".", 1)[1] not in BENIGN_BUILTINS else None
        if first_q in BUILTINS_NAMES:
            return f"builtins.{member_arg or '?'}" if member_arg not in BENIGN_BUILTINS else None
    elif attr in ("patch", "object") or name.endswith(".patch") or name == "patch":
        if attr == "object" and first_q in BUILTINS_NAMES:
            return f"builtins.{member_arg or '?'}" if member_arg not in BENIGN_BUILTINS else None
        if by_string:
            return target_str if target_str.split(".", 1)[1] not in BENIGN_BUILTINS else None
    return None


@rule("TG-BUILTINS", on="store")
def builtins_store(ctx):
    found = []
    kind, _base = attribute_store(ctx)
    if kind == "builtins":
        found.append(Hit(f"assigns builtins.{ctx.node.attr}"))
    if ctx.container in BUILTINS_NAMES or ctx.container in _BUILTINS_DICTS:
        found.append(Hit("assigns an entry of builtins"))
    return found


@rule(
    "TG-SYS-MODULES",
    on="call",
    reason="tampering",
    severity="high",
    message="replacing entries of sys.modules swaps the code under test for something else",
    advice="tests must not patch builtins or sys.modules; use monkeypatch on the module under test",
)
def sys_modules_call(ctx):
    if not ctx.attr:
        return None
    found = []
    if ctx.receiver == "sys.modules" and ctx.attr in MUTATORS:
        found.append(Hit(f"calls sys.modules.{ctx.attr}"))
    target_str, first_q = _patch_target(ctx)
    if ctx.attr in ("setitem", "delitem") and first_q == "sys.modules":
        found.append(Hit(f"monkeypatch.{ctx.attr} on sys.modules", "medium"))
    if ctx.attr == "dict" and (first_q == "sys.modules" or target_str == "sys.modules"):
        found.append(Hit("patch.dict on sys.modules", "medium"))
    return found


@rule("TG-SYS-MODULES", on="store")
def sys_modules_store(ctx):
    found = []
    if attribute_store(ctx)[0] == "sys.modules":
        found.append(Hit("assigns sys.modules"))
    if ctx.container == "sys.modules" or ctx.whole == "sys.modules":
        found.append(Hit("assigns sys.modules"))
    return found
