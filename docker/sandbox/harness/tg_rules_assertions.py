"""Rules on what defeats a test's assertions: a handler that swallows the AssertionError.
(Counting assertions is tg_assert_count's job, not a rule.)
"""

from __future__ import annotations

import ast

from tg_rule_names import is_trivial_stmt
from tg_rule_registry import Hit, TAMPERING_FALLBACK, rule

_CATCH_ALL = ("BaseException", "Exception", "AssertionError")


def _exc_names(ctx, node: ast.AST | None) -> list[str]:
    if node is None:
        return []
    options = node.elts if isinstance(node, ast.Tuple) else [node]
    return [(ctx.q(o) or "").replace("builtins.", "") for o in options]


def _handler_escapes(ctx, handler: ast.ExceptHandler) -> bool:
    for n in ast.walk(ast.Module(body=handler.body, type_ignores=[])):
        if isinstance(n, ast.Raise):
            return True
        if isinstance(n, ast.Call):
            fname = ctx.q(n.func) or ""
            if fname in ("pytest.fail", "pytest.skip", "pytest.xfail") or fname.endswith(".fail"):
                return True
    return False


@rule(
    "TG-EXCEPT-ALL",
    on="handler",
    reason="tampering",
    severity="medium",
    message="a catch-all handler swallows assertion failures, so the test cannot fail",
    advice=TAMPERING_FALLBACK,
)
def catch_all_handler(ctx):
    handler = ctx.node
    if not ctx.in_test(handler.lineno) or _handler_escapes(ctx, handler):
        return None
    names = _exc_names(ctx, handler.type)
    if handler.type is None:
        return Hit("bare `except:`")
    if "BaseException" in names:
        return Hit("`except BaseException`")
    if "AssertionError" in names:
        return Hit("`except AssertionError` without re-raising")
    if "Exception" in names and all(is_trivial_stmt(s) for s in handler.body):
        return Hit("`except Exception` that does nothing")
    return None


@rule("TG-EXCEPT-ALL", on="with")
def catch_all_suppress(ctx):
    found = []
    for item in ctx.node.items:
        call = item.context_expr
        if (
            isinstance(call, ast.Call)
            and (ctx.q(call.func) or "").endswith("suppress")
            and ctx.in_test(ctx.node.lineno)
        ):
            caught = [n for a in call.args for n in _exc_names(ctx, a)]
            if any(n in _CATCH_ALL for n in caught):
                found.append(Hit("`contextlib.suppress` of a catch-all exception"))
    return found
