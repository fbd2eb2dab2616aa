"""What a test compares its results against, read from its syntax tree.

The values on the other side of an `==` / `!=` in the test's asserts, and the exception
classes it expects from `pytest.raises(...)`. The host side uses them to tell a generated
test that fails on a value the function's docstring documents (likely a bug in the code)
from one that is simply wrong. Python 3.11 stdlib only.
"""

from __future__ import annotations

import ast

MAX_VALUES = 20
MAX_VALUE_CHARS = 200


def _literal(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        return _literal(node.operand)
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return all(_literal(e) for e in node.elts)
    if isinstance(node, ast.Dict):
        return all(k is not None and _literal(k) and _literal(v) for k, v in zip(node.keys, node.values))
    return False


def _raises(call: ast.Call) -> bool:
    func = call.func
    return (
        isinstance(func, ast.Attribute)
        and func.attr == 'raises'
        and isinstance(func.value, ast.Name)
        and func.value.id == 'pytest'
    )


def expected_values(fn: ast.AST) -> list[str]:
    """Source of each literal an assert of fn compares with `==` / `!=`, and of each
    exception `pytest.raises` expects, in order of appearance, without repeats."""
    found: list[str] = []

    def add(node: ast.AST) -> None:
        text = ast.unparse(node)
        if len(text) <= MAX_VALUE_CHARS and text not in found and len(found) < MAX_VALUES:
            found.append(text)

    for node in ast.walk(fn):
        if isinstance(node, ast.Assert) and isinstance(node.test, ast.Compare):
            operands = [node.test.left, *node.test.comparators]
            for i, op in enumerate(node.test.ops):
                if isinstance(op, (ast.Eq, ast.NotEq)):
                    for side in (operands[i], operands[i + 1]):
                        if _literal(side):
                            add(side)
        elif isinstance(node, ast.Call) and _raises(node) and node.args:
            add(node.args[0])
    return found
