"""The truth evaluator: an expression's truth value when it is the same whatever runs.

`assert True`, `assert (x, "msg")`, `assert x == x`, `assert not None`: a test whose assert
holds whatever the code under test does proves nothing (the `trivial-assert` reason).
"""
from __future__ import annotations

import ast
import operator

from tg_rule_names import Names

CMP_OPS = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le, ast.Gt: operator.gt,
    ast.GtE: operator.ge, ast.Is: operator.is_, ast.IsNot: operator.is_not, ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
}


def has_call(node: ast.AST) -> bool:
    return any(isinstance(n, (ast.Call, ast.Await, ast.Yield, ast.YieldFrom, ast.NamedExpr)) for n in ast.walk(node))


def truth(node: ast.AST, names: Names | None = None) -> bool | None:
    """The expression's truth value when it is the same whatever runs (None when unknown)."""
    if isinstance(node, ast.Constant):
        return bool(node.value)
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        if any(not isinstance(e, ast.Starred) for e in node.elts):
            return True
        return False if not node.elts else None
    if isinstance(node, ast.Dict):
        if any(k is not None for k in node.keys):
            return True
        return False if not node.keys else None
    if isinstance(node, ast.JoinedStr):
        if any(isinstance(v, ast.Constant) and v.value for v in node.values):
            return True
        return False if not node.values else None
    if isinstance(node, ast.Lambda):
        return True
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
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
    if isinstance(node, ast.NamedExpr):
        return truth(node.value, names)
    if isinstance(node, ast.Compare) and len(node.ops) == 1:
        left, right, op = node.left, node.comparators[0], node.ops[0]
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
    if isinstance(node, ast.Call) and not node.keywords:
        fname = names.qual(node.func) if names else getattr(node.func, "id", None)
        if fname in ("isinstance", "builtins.isinstance") and len(node.args) == 2:
            cls = node.args[1]
            options = cls.elts if isinstance(cls, ast.Tuple) else [cls]
            if any(isinstance(o, ast.Name) and o.id == "object" for o in options):
                return True
        if fname in ("bool", "builtins.bool") and len(node.args) == 1:
            return truth(node.args[0], names)
    return None


