"""Turn live values into Python source that rebuilds them, for the emitted tests.

A value is kept only if its source evaluates back to an equal value: plain literals
(`ast.literal_eval`), plus enum members, dataclasses, namedtuples and stdlib value types
(Decimal, Fraction, date) whose repr is a call of their class. Anything else is opaque:
the case cannot become a readable assertion and is dropped.
"""

from __future__ import annotations

import ast
import dataclasses
import enum
import importlib
import math
from typing import Any

Imports = set  # of (module, name) pairs: `from module import name`

_MAX_SOURCE = 400


class Opaque(Exception):
    """The value has no source form that rebuilds it."""


def _class_ref(cls: type, target_module: str, ns: dict[str, Any], imports: set[tuple[str, str]]) -> str:
    name = cls.__name__
    mod = getattr(cls, '__module__', None)
    if ns.get(name) is cls:
        imports.add((target_module, name))
        return name
    if mod and mod not in ('__main__', 'builtins') and '<' not in cls.__qualname__ and '.' not in cls.__qualname__:
        try:
            if getattr(importlib.import_module(mod), name, None) is cls:
                imports.add((mod, name))
                return name
        except Exception:  # noqa: BLE001 - not importable: opaque
            pass
    raise Opaque(f'{cls.__qualname__} is not importable by name')


def source(value: Any, target_module: str, ns: dict[str, Any], imports: set[tuple[str, str]], depth: int = 0) -> str:
    """Source text for `value`; raises Opaque."""
    if depth > 8:
        raise Opaque('too deep')
    t = type(value)
    if value is None or t is bool or t is int or t is str or t is bytes:
        return repr(value)
    if t is float:
        if not math.isfinite(value):
            # float("nan") never equals itself; inf would need float("inf"): keep tests plain.
            raise Opaque('non-finite float')
        return repr(value)
    if t is complex:
        if not (math.isfinite(value.real) and math.isfinite(value.imag)):
            raise Opaque('non-finite complex')
        return repr(value)
    if t is list:
        return '[' + ', '.join(source(v, target_module, ns, imports, depth + 1) for v in value) + ']'
    if t is tuple:
        items = [source(v, target_module, ns, imports, depth + 1) for v in value]
        return '(' + items[0] + ',)' if len(items) == 1 else '(' + ', '.join(items) + ')'
    if t is set or t is frozenset:
        items = sorted(source(v, target_module, ns, imports, depth + 1) for v in value)
        inner = '{' + ', '.join(items) + '}' if items else ''
        if t is set:
            return inner if items else 'set()'
        return f'frozenset({inner})'
    if t is dict:

        def item(k: Any, v: Any) -> str:
            key = source(k, target_module, ns, imports, depth + 1)
            return f'{key}: {source(v, target_module, ns, imports, depth + 1)}'

        return '{' + ', '.join(item(k, v) for k, v in value.items()) + '}'
    if isinstance(value, enum.Enum):
        return f'{_class_ref(t, target_module, ns, imports)}.{value.name}'
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        ref = _class_ref(t, target_module, ns, imports)
        args = []
        for f in dataclasses.fields(value):
            if not f.init:
                continue
            args.append(f'{f.name}={source(getattr(value, f.name), target_module, ns, imports, depth + 1)}')
        return f'{ref}({", ".join(args)})'
    if isinstance(value, tuple) and hasattr(t, '_fields'):
        ref = _class_ref(t, target_module, ns, imports)
        return (
            f'{ref}('
            + ', '.join(f'{k}={source(v, target_module, ns, imports, depth + 1)}' for k, v in zip(t._fields, value))
            + ')'
        )
    # Value types whose repr is `Class(literal, ...)`, e.g. Decimal('1.5'), Fraction(1, 2).
    text = repr(value)
    try:
        node = ast.parse(text, mode='eval').body
    except SyntaxError as exc:
        raise Opaque(f'{t.__qualname__} has no evaluable repr') from exc
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == t.__name__:
        for a in [*node.args, *(k.value for k in node.keywords)]:
            try:
                ast.literal_eval(a)
            except (ValueError, SyntaxError) as exc:
                raise Opaque(f'{t.__qualname__} repr has non-literal arguments') from exc
        _class_ref(t, target_module, ns, imports)
        return text
    raise Opaque(f'{t.__qualname__} has no evaluable repr')


def checked_source(value: Any, target_module: str, ns: dict[str, Any]) -> tuple[str, list[tuple[str, str]]]:
    """Source plus imports, verified to rebuild an equal value of the same type; raises Opaque."""
    imports: set[tuple[str, str]] = set()
    text = source(value, target_module, ns, imports)
    if len(text) > _MAX_SOURCE:
        raise Opaque('too long to read')
    env: dict[str, Any] = {'__builtins__': {'set': set, 'frozenset': frozenset}}
    for mod, name in imports:
        env[name] = ns[name] if mod == target_module and name in ns else getattr(importlib.import_module(mod), name)
    try:
        rebuilt = eval(compile(text, '<literal>', 'eval'), env)  # noqa: S307 - our own generated source, in the sandbox
        same = type(rebuilt) is type(value) and bool(rebuilt == value)
    except Exception as exc:  # noqa: BLE001 - any failure to rebuild means opaque
        raise Opaque(f'source does not rebuild the value ({type(exc).__name__})') from exc
    if not same:
        raise Opaque('source does not rebuild an equal value')
    return text, sorted(imports)
