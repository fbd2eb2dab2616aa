"""The truth evaluator: an expression's truth value when it is the same whatever runs.

`assert True`, `assert (x, "msg")`, `assert x == x`, `assert not None`: a test whose assert
holds whatever the code under test does proves nothing (the `trivial-assert` reason).
"""

from __future__ import annotations

import ast
import operator

from tg_rule_names import Names

CMP_OPS = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.Is: operator.is_,
    ast.IsNot: operator.is_not,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
}


def has_call(node: ast.AST) -> bool:
    return any(isinstance(n, (ast.Call, ast.Await, ast.Yield, ast.YieldFrom, ast.NamedExpr)) for n in ast.walk(node))


def truth(node: ast.AST, names: Names | None = None) -> bool | None:
    """The expression's truth value when it is the same whatever runs (None when unknown)."""
    if isinstance(node, ast.Constant):
        return bool(node.value)
    if isinstance(node, ast.Lambda):
        return True
    if isinstance(node, (ast.Tuple, ast.List, ast.Set, ast.Dict, ast.JoinedStr)):
        return _display_truth(node)
    if isinstance(node, (ast.UnaryOp, ast.BoolOp, ast.IfExp, ast.NamedExpr)):
        return _operator_truth(node, names)
    if isinstance(node, ast.Compare) and len(node.ops) == 1:
        return _compare_truth(node.left, node.ops[0], node.comparators[0])
    if isinstance(node, ast.Call) and not node.keywords:
        return _call_truth(node, names)
    return None


def _display_truth(node: ast.AST) -> bool | None:
    """A tuple/list/set/dict/f-string display: true with an item that is surely there, false when empty."""
    if isinstance(node, ast.Dict):
        items, present = node.keys, any(k is not None for k in node.keys)  # `**d` keys are None
    elif isinstance(node, ast.JoinedStr):
        items, present = node.values, any(isinstance(v, ast.Constant) and v.value for v in node.values)
    else:
        items, present = node.elts, any(not isinstance(e, ast.Starred) for e in node.elts)
    if present:
        return True
    return False if not items else None


def _operator_truth(node: ast.AST, names: Names | None) -> bool | None:
    """`not x`, `x or y`, `x and y`, `a if c else b`, `(x := y)` from their operands' truth."""
    if isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, ast.Not):
            return None
        inner = truth(node.operand, names)
        return None if inner is None else not inner
    if isinstance(node, ast.BoolOp):
        values = [truth(v, names) for v in node.values]
        if isinstance(node.op, ast.Or):
            if any(v is True for v in values):
                return True
            return False if all(v is False for v in values) else None
        if any(v is False for v in values):
            return False
        return True if all(v is True for v in values) else None
    if isinstance(node, ast.IfExp):
        a, b = truth(node.body, names), truth(node.orelse, names)
        return a if a is not None and a == b else None
    return truth(node.value, names)  # ast.NamedExpr


def _compare_truth(left: ast.AST, op: ast.cmpop, right: ast.AST) -> bool | None:
    """Constants compared, or one call-free expression compared with itself."""
    if isinstance(left, ast.Constant) and isinstance(right, ast.Constant):
        try:
            return bool(CMP_OPS[type(op)](left.value, right.value))
        except Exception:  # noqa: BLE001 - a comparison of constants that raises is not trivial
            return None
    if ast.dump(left) == ast.dump(right) and not has_call(left):
        if isinstance(op, (ast.Eq, ast.Is, ast.LtE, ast.GtE)):
            return True
        if isinstance(op, (ast.NotEq, ast.IsNot, ast.Lt, ast.Gt)):
            return False
    return None


def _call_truth(node: ast.Call, names: Names | None) -> bool | None:
    """`isinstance(x, object)` is true; `bool(x)` is x's truth."""
    fname = names.qual(node.func) if names else getattr(node.func, "id", None)
    if fname in ("isinstance", "builtins.isinstance") and len(node.args) == 2:
        cls = node.args[1]
        options = cls.elts if isinstance(cls, ast.Tuple) else [cls]
        if any(isinstance(o, ast.Name) and o.id == "object" for o in options):
            return True
    if fname in ("bool", "builtins.bool") and len(node.args) == 1:
        return truth(node.args[0], names)
    return None
