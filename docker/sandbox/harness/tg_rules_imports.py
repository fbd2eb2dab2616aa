"""Rules on what a test imports and from where: modules loaded by a computed name, the
internals of pytest/coverage/Bandit and of the gate itself, and the import path.
"""

from __future__ import annotations

import ast

import tg_rules_tampering  # noqa: F401 - declares TG-TOOL-INTERNALS
from tg_rule_names import (
    DYNAMIC_IMPORT,
    DYNAMIC_IMPORT_METHODS,
    MUTATORS,
    RUNNER_MODULES,
    SYS_PATH_CALLS,
    SYS_PATH_OBJECTS,
    TOOL_MODULES,
)
from tg_rule_registry import DYNAMIC_CODE, HOW_TESTS_RUN, Hit, rule


@rule(
    "TG-DYNAMIC-IMPORT",
    on="call",
    reason="unsafe",
    severity="high",
    message="a module loaded by a computed name escapes the static rules",
    advice=DYNAMIC_CODE,
)
def dynamic_import_call(ctx):
    if ctx.name in DYNAMIC_IMPORT or ctx.attr in DYNAMIC_IMPORT_METHODS:
        return Hit(f"calls {ctx.name or ctx.attr}")
    return None


@rule("TG-DYNAMIC-IMPORT", on="reference")
def dynamic_import_reference(ctx):
    return Hit(f"uses {ctx.name}") if ctx.name in DYNAMIC_IMPORT else None


@rule("TG-TOOL-INTERNALS", on="import")
def tool_module_import(ctx):
    """`import _pytest.x` / `from coverage import y` (medium); the gate's own modules (high)."""
    node = ctx.node
    if isinstance(node, ast.Import):
        return [hit for a in node.names if (hit := _imported(a.name, f"imports `{a.name}`")) is not None]
    if node.module and not node.level:
        return _imported(node.module, f"imports from `{node.module}`")
    return None


def _imported(module: str, what: str) -> Hit | None:
    top = module.split(".")[0]
    if top in TOOL_MODULES:
        return Hit(what)
    if top in RUNNER_MODULES:
        return Hit(f"{what}, part of the gate's test runner", "high")
    return None


@rule(
    "TG-SYS-PATH",
    on="call",
    reason="tampering",
    severity="medium",
    message="changing the import path decides which code the tests import",
    advice=HOW_TESTS_RUN,
)
def sys_path_call(ctx):
    found = []
    if ctx.attr and ctx.receiver in SYS_PATH_OBJECTS and ctx.attr in MUTATORS:
        found.append(Hit(f"calls {ctx.receiver}.{ctx.attr}", SYS_PATH_OBJECTS[ctx.receiver]))
    if ctx.attr == "syspath_prepend":
        found.append(Hit("monkeypatch.syspath_prepend"))
    if ctx.name in SYS_PATH_CALLS:
        found.append(Hit(f"calls {ctx.name}", SYS_PATH_CALLS[ctx.name]))
    return found


@rule("TG-SYS-PATH", on="store")
def sys_path_store(ctx):
    return [
        Hit(f"assigns {obj}", sev) for obj, sev in SYS_PATH_OBJECTS.items() if ctx.container == obj or ctx.whole == obj
    ]
