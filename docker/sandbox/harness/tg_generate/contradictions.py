"""Cases that would pin a bug as expected behaviour: an observed exception the function's
own contract says should not happen.

A characterization test asserts what the code does today. When what it does contradicts
what the code says of itself, the case is reported as a suspected bug instead of being
offered as a test. Three contracts are read, statically:

1. The docstring's examples: `>>> f(0)` followed by a value, while the case `f(0)` raises.
2. The type hints: every argument matches a plain annotation (`int`, `str`, `list`, ...,
   `X | None`) and the call dies of a `TypeError` or `AttributeError`, the errors of a
   value the code did not expect rather than ones it raises on purpose.
3. A sentinel default: a parameter defaults to a module constant (`_UNSET = -1`), the
   case passes that same value explicitly, it matches the annotation, and the call raises:
   a caller's valid value is taken for "not given".
"""

from __future__ import annotations

import ast
from typing import Any

_PLAIN_TYPES = {
    'int': (int,),
    'float': (int, float),
    'complex': (int, float, complex),
    'str': (str,),
    'bytes': (bytes,),
    'bool': (bool,),
    'list': (list,),
    'dict': (dict,),
    'tuple': (tuple,),
    'set': (set,),
    'frozenset': (frozenset,),
}
_UNEXPECTED = ('TypeError', 'AttributeError')


def _literal(src: str) -> tuple[bool, Any]:
    try:
        return True, ast.literal_eval(src)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False, None


def _accepts(annotation: ast.AST | None, value: Any) -> bool | None:
    """Whether a plain annotation admits the value; None when the annotation is not plain."""
    if annotation is None:
        return None
    if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
        try:
            annotation = ast.parse(annotation.value, mode='eval').body
        except SyntaxError:
            return None
    if isinstance(annotation, ast.BinOp) and isinstance(annotation.op, ast.BitOr):
        left, right = _accepts(annotation.left, value), _accepts(annotation.right, value)
        if left is None or right is None:
            return None
        return left or right
    if isinstance(annotation, ast.Constant) and annotation.value is None:
        return value is None
    if (
        isinstance(annotation, ast.Subscript)
        and isinstance(annotation.value, ast.Name)
        and annotation.value.id == 'Optional'
    ):
        inner = _accepts(annotation.slice, value)
        return None if inner is None else (value is None or inner)
    if isinstance(annotation, ast.Subscript):
        annotation = annotation.value  # list[int] -> list: the container's type is what we check
    if isinstance(annotation, ast.Name) and annotation.id in _PLAIN_TYPES:
        types = _PLAIN_TYPES[annotation.id]
        if isinstance(value, bool) and annotation.id != 'bool':
            return False  # True is an int to Python, but not a value an `int` parameter means
        return isinstance(value, types)
    return None


def _parameters(fn: ast.AST, method: bool) -> list[ast.arg]:
    args = fn.args  # type: ignore[attr-defined]
    params = list(args.posonlyargs) + list(args.args)
    if method and params:
        params = params[1:]
    return params + list(args.kwonlyargs)


def _defaults(fn: ast.AST, method: bool) -> dict[str, ast.AST]:
    args = fn.args  # type: ignore[attr-defined]
    positional = list(args.posonlyargs) + list(args.args)
    out = {p.arg: d for p, d in zip(positional[len(positional) - len(args.defaults) :], args.defaults)}
    out.update({p.arg: d for p, d in zip(args.kwonlyargs, args.kw_defaults) if d is not None})
    return out


def _bound_values(case: dict[str, Any], params: list[ast.arg]) -> dict[str, Any] | None:
    """Parameter name -> literal value of the case's call; None if any argument is not a literal."""
    out: dict[str, Any] = {}
    for item in case.get('args') or []:
        name, src = item[0], item[2]
        ok, value = _literal(src)
        if not ok:
            return None
        out[name] = value
    names = {p.arg for p in params}
    return {k: v for k, v in out.items() if k in names}


def _module_constants(tree: ast.Module) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            ok, value = _literal(ast.unparse(node.value))
            if ok:
                out[node.targets[0].id] = value
    return out


def _doctest_results(fn: ast.AST, name: str) -> list[tuple[list[Any], dict[str, Any], str]]:
    """(args, kwargs, shown output) of each `>>> name(literals)` example that shows a value."""
    doc = ast.get_docstring(fn) or ''  # type: ignore[arg-type]
    lines = doc.splitlines()
    out = []
    for i, line in enumerate(lines):
        text = line.strip()
        if not text.startswith('>>> '):
            continue
        try:
            call = ast.parse(text[4:], mode='eval').body
        except SyntaxError:
            continue
        if not (
            isinstance(call, ast.Call)
            and (getattr(call.func, 'id', None) == name or getattr(call.func, 'attr', None) == name)
        ):
            continue
        shown = lines[i + 1].strip() if i + 1 < len(lines) else ''
        if not shown or shown.startswith(('>>>', '...', 'Traceback')):
            continue
        try:
            args = [ast.literal_eval(a) for a in call.args]
            kwargs = {k.arg: ast.literal_eval(k.value) for k in call.keywords if k.arg}
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            continue
        out.append((args, kwargs, shown))
    return out


def _call_text(name: str, case: dict[str, Any]) -> str:
    parts = [src if kind == 'pos' else f'{arg}={src}' for arg, kind, src, *_ in case.get('args') or []]
    return f'{name}({", ".join(parts)})'


def contradiction(tree: ast.Module, fn: ast.AST, method: bool, case: dict[str, Any]) -> str | None:
    """Why the case's observed exception contradicts the function's own contract, or None."""
    outcome = case.get('outcome') or {}
    if outcome.get('kind') != 'raise':
        return None
    name = fn.name  # type: ignore[attr-defined]
    exc = str(outcome.get('excType') or outcome.get('exc') or 'an exception')
    params = _parameters(fn, method)
    values = _bound_values(case, params)
    if values is None:
        return None
    call = _call_text(name, case)

    positional = [p.arg for p in params]
    for args, kwargs, shown in _doctest_results(fn, name):
        bound = dict(zip(positional, args))
        bound.update(kwargs)
        if bound == values and len(args) <= len(positional):
            return f'{call} raises {exc}, but its docstring shows it returning {shown}'

    annotated = [(p, values[p.arg]) for p in params if p.arg in values and p.annotation is not None]
    if exc in _UNEXPECTED and annotated and all(_accepts(p.annotation, v) for p, v in annotated):
        return (
            f'{call} raises {exc}, although every argument matches its type hint '
            f'({", ".join(f"{p.arg}: {ast.unparse(p.annotation)}" for p, _ in annotated)})'
        )

    constants = _module_constants(tree)
    for param, default in _defaults(fn, method).items():
        if not isinstance(default, ast.Name) or default.id not in constants or param not in values:
            continue
        sentinel = constants[default.id]
        if sentinel is None or values[param] != sentinel or type(values[param]) is not type(sentinel):
            continue
        hint = next((p.annotation for p in params if p.arg == param), None)
        if _accepts(hint, values[param]):
            return (
                f'{call} raises {exc}: {param}={values[param]!r} is a valid {ast.unparse(hint)} '
                f'that equals the default sentinel {default.id}, so a caller passing it is treated as passing nothing'
            )
    return None


def split_cases(
    tree: ast.Module, fn: ast.AST, method: bool, cases: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[str]]:
    """(cases to offer as tests, messages of the suspected bugs among them)."""
    kept, suspected = [], []
    for case in cases:
        why = contradiction(tree, fn, method, case)
        if why is None:
            kept.append(case)
        else:
            suspected.append(why)
    return kept, suspected
