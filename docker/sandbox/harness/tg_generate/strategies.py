"""Input strategies for a target's parameters (runs in the explorer child: needs the live
function for type hints, defaults and module constants).

Sources, strongest first: type hints, constants the body compares the parameter against
(static.extract_literals, neighbours included so both sides of `x < 0` are hit), defaults,
the parameter's name (`name` -> text, `count` -> small ints, `items` -> lists), and a
generic literal mix. Values are kept small and printable so the emitted tests read well.
"""

from __future__ import annotations

import enum
import inspect
import math
import string
import typing
from typing import Any

from hypothesis import strategies as st

from . import static

OMIT = object()  # "use the parameter's default": the emitted call leaves the argument out

_PRINTABLE = string.ascii_letters + string.digits + ' _-.,:;@/+*!?#=()[]{}\'"'
SCALAR_TYPES = (bool, int, float, str, bytes, type(None))


def small_text(max_size: int = 12) -> st.SearchStrategy[str]:
    return st.one_of(
        st.text(alphabet=_PRINTABLE, max_size=max_size),
        st.text(alphabet=string.ascii_lowercase, min_size=1, max_size=6),
        st.text(max_size=4),  # a little unicode, for the branches that care
    )


def _numeric_text() -> st.SearchStrategy[str]:
    return st.one_of(
        st.integers(-100, 1000).map(str),
        st.floats(-100, 100, allow_nan=False).map(lambda x: f'{x:.2f}'),
        st.sampled_from(['', ' ', '0', '-1', '1.5', 'abc', '1e3', ' 42 ', '0x1f']),
    )


def _flatten_const(value: Any, out: list[Any], depth: int = 0) -> None:
    if isinstance(value, SCALAR_TYPES):
        if isinstance(value, float) and not math.isfinite(value):
            return
        if value not in out or type(value) not in {type(v) for v in out if v == value}:
            out.append(value)
    elif depth < 2 and isinstance(value, (list, tuple, set, frozenset)) and len(value) <= 64:
        for v in sorted(value, key=repr) if isinstance(value, (set, frozenset)) else value:
            _flatten_const(v, out, depth + 1)
    elif depth < 2 and isinstance(value, dict) and len(value) <= 64:
        for k in value:
            _flatten_const(k, out, depth + 1)
    elif isinstance(value, enum.Enum):
        if value not in out:
            out.append(value)


def resolve_consts(raw: list[Any], module: Any, cls: Any | None) -> list[Any]:
    """Constants, with `{"global": NAME}` placeholders replaced by the module value's elements."""
    out: list[Any] = []
    for item in raw:
        if isinstance(item, dict) and 'global' in item:
            name = item['global']
            value = getattr(module, name, None)
            if value is None and cls is not None:
                value = getattr(cls, name, None)
            if value is not None and not callable(value) or isinstance(value, (dict, list, tuple, set, frozenset)):
                _flatten_const(value, out)
        else:
            _flatten_const(item, out)
    return out[:64]


def global_consts(names: list[str], module: Any, cls: Any | None) -> list[Any]:
    """Module-level constants (and class attributes via `self.X`) the body refers to."""
    out: list[Any] = []
    for name in names:
        owner = module
        if name.startswith('self.'):
            owner, name = cls, name[5:]
        if owner is None:
            continue
        value = inspect.getattr_static(owner, name, None) if isinstance(owner, type) else getattr(owner, name, None)
        if isinstance(value, (enum.EnumMeta,)):
            for member in list(value)[:32]:
                out.append(member)
        elif not callable(value) and not inspect.ismodule(value) and not isinstance(value, type):
            _flatten_const(value, out)
    return out[:64]


def _typed(consts: list[Any], kinds: tuple[type, ...]) -> list[Any]:
    return [
        c
        for c in consts
        if isinstance(c, kinds)
        and not (bool in kinds) == isinstance(c, bool)
        or (isinstance(c, kinds) and bool in kinds)
    ]


def _ints(consts: list[Any]) -> list[int]:
    return [c for c in consts if isinstance(c, int) and not isinstance(c, bool)]


def _strs(consts: list[Any]) -> list[str]:
    return [c for c in consts if isinstance(c, str)]


def int_strategy(consts: list[Any]) -> st.SearchStrategy[int]:
    parts: list[st.SearchStrategy[Any]] = [st.integers(-10, 100), st.integers(-(10**6), 10**6)]
    ints = _ints(consts)
    if ints:
        parts.append(st.sampled_from(ints))
        parts.append(st.sampled_from(ints))
    return st.one_of(parts)


def float_strategy(consts: list[Any]) -> st.SearchStrategy[float]:
    parts: list[st.SearchStrategy[Any]] = [
        st.floats(0, 1, allow_nan=False),
        st.floats(-1000, 1000, allow_nan=False, allow_infinity=False),
        st.integers(-10, 100).map(float),
    ]
    nums = [float(c) for c in consts if isinstance(c, (int, float)) and not isinstance(c, bool)]
    if nums:
        parts.append(st.sampled_from(nums))
        parts.append(st.sampled_from(nums))
    return st.one_of(parts)


def text_strategy(consts: list[Any], subs: list[Any] | None = None, numeric: bool = False) -> st.SearchStrategy[str]:
    parts: list[st.SearchStrategy[Any]] = [small_text()]
    strs = _strs(consts)
    pieces = [s for s in (subs or []) if isinstance(s, str)] + strs
    if strs:
        parts.append(st.sampled_from(strs))
        parts.append(st.sampled_from(strs))
    if pieces:
        parts.append(st.builds(lambda a, c, b: a + c + b, small_text(4), st.sampled_from(pieces), small_text(4)))
        parts.append(st.lists(st.sampled_from(pieces), min_size=1, max_size=3).map(''.join))
    parts.append(_numeric_text())
    if numeric:
        parts.append(_numeric_text())
    return st.one_of(parts)


def generic_scalar(consts: list[Any]) -> st.SearchStrategy[Any]:
    parts: list[st.SearchStrategy[Any]] = [
        st.integers(-10, 100),
        st.floats(0, 1, allow_nan=False),
        st.floats(-1000, 1000, allow_nan=False),
        small_text(),
        st.booleans(),
        st.none(),
    ]
    scalars = [c for c in consts if isinstance(c, SCALAR_TYPES)]
    if scalars:
        parts.append(st.sampled_from(scalars))
        parts.append(st.sampled_from(scalars))
    return st.one_of(parts)


def generic_value(consts: list[Any]) -> st.SearchStrategy[Any]:
    scalar = generic_scalar(consts)
    return st.one_of(
        scalar,
        st.lists(st.integers(-10, 10), max_size=6),
        st.lists(small_text(6), max_size=4),
        st.tuples(scalar, scalar),
        st.dictionaries(small_text(6), st.integers(-10, 10), max_size=3),
    )


def _sized_lists(elem: st.SearchStrategy[Any], lengths: list[int]) -> st.SearchStrategy[list[Any]]:
    parts: list[st.SearchStrategy[Any]] = [st.lists(elem, max_size=8)]
    for n in sorted(set(lengths))[:6]:
        if 0 <= n <= 20:
            parts.append(st.lists(elem, min_size=n, max_size=n))
    return st.one_of(parts)


def hint_strategy(
    hint: Any, consts: list[Any], subs: list[Any], lengths: list[int], keys: list[Any], depth: int = 0
) -> st.SearchStrategy[Any] | None:
    """A strategy for a type hint, biased to the constants; None when the hint is unusable."""
    if depth > 3:
        return None
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if hint is typing.Any or hint is object:
        return generic_value(consts)
    if hint is bool:
        return st.booleans()
    if hint is int:
        return int_strategy(consts)
    if hint is float:
        return st.one_of(float_strategy(consts), int_strategy(consts))
    if hint is str:
        return text_strategy(consts, subs)
    if hint is bytes:
        bs = [c for c in consts if isinstance(c, bytes)]
        return st.one_of(st.binary(max_size=12), *(st.sampled_from(bs),) * bool(bs))
    if hint is type(None) or hint is None:
        return st.none()
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return st.sampled_from(list(hint)) if len(hint) else None
    if origin is typing.Literal:
        return st.sampled_from(list(args)) if args else None
    if origin is typing.Union or (origin is not None and str(origin) == "<class 'types.UnionType'>"):
        subs_ = [hint_strategy(a, consts, subs, lengths, keys, depth + 1) for a in args]
        usable = [s for s in subs_ if s is not None]
        return st.one_of(usable) if usable else None
    if (
        hint is list
        or origin in (list, typing.List)
        or origin is getattr(__import__('collections.abc').abc, 'Sequence', None)
    ):
        elem = hint_strategy(args[0], consts, [], [], [], depth + 1) if args else generic_scalar(consts)
        return _sized_lists(elem, lengths) if elem is not None else None
    if hint is tuple or origin is tuple:
        if not args:
            return st.tuples(generic_scalar(consts), generic_scalar(consts))
        if len(args) == 2 and args[1] is Ellipsis:
            elem = hint_strategy(args[0], consts, [], [], [], depth + 1)
            return st.lists(elem, max_size=6).map(tuple) if elem is not None else None
        elems = [hint_strategy(a, consts, [], [], [], depth + 1) for a in args]
        return st.tuples(*elems) if all(e is not None for e in elems) else None  # type: ignore[arg-type]
    if hint in (set, frozenset) or origin in (set, frozenset):
        elem = hint_strategy(args[0], consts, [], [], [], depth + 1) if args else generic_scalar(consts)
        if elem is None:
            return None
        base = st.sets(elem, max_size=6)
        return base.map(frozenset) if (hint is frozenset or origin is frozenset) else base
    if (
        hint is dict
        or origin is dict
        or (origin is not None and getattr(origin, '__name__', '') in ('Mapping', 'MutableMapping'))
    ):
        k = hint_strategy(args[0], consts, [], [], [], depth + 1) if args else small_text(6)
        v = hint_strategy(args[1], consts, [], [], [], depth + 1) if len(args) > 1 else generic_scalar(consts)
        if k is None or v is None:
            return None
        parts: list[st.SearchStrategy[Any]] = [st.dictionaries(k, v, max_size=4)]
        if keys:
            parts.append(st.dictionaries(st.sampled_from(keys), v, max_size=len(keys)))
        return st.one_of(parts)
    if origin is not None and getattr(origin, '__name__', '') in ('Iterable', 'Collection', 'Sequence'):
        elem = hint_strategy(args[0], consts, [], [], [], depth + 1) if args else generic_scalar(consts)
        return _sized_lists(elem, lengths) if elem is not None else None
    if origin is not None and getattr(origin, '__name__', '') == 'Callable' or hint is typing.Callable:
        return None
    try:
        return st.from_type(hint)
    except Exception:  # noqa: BLE001 - any hint Hypothesis cannot resolve means "no hint"
        return None


def name_strategy(
    name: str, consts: list[Any], subs: list[Any], lengths: list[int], keys: list[Any]
) -> st.SearchStrategy[Any] | None:
    """A strategy guessed from the parameter's name, or None."""
    if static.BOOL_NAMES.search(name):
        return st.booleans()
    if static.CALLABLE_NAMES.match(name):
        return None
    if static.DICT_NAMES.search(name):
        val = generic_scalar(consts)
        parts: list[st.SearchStrategy[Any]] = [st.dictionaries(small_text(6), val, max_size=4)]
        if keys:
            parts.append(st.dictionaries(st.sampled_from(keys), val, max_size=len(keys)))
            parts.append(st.fixed_dictionaries({k: val for k in keys if isinstance(k, (str, int))}))
        return st.one_of(parts)
    if static.LIST_NAMES.search(name):
        elem = st.one_of(st.integers(-10, 100), *(st.sampled_from(_ints(consts)),) * bool(_ints(consts)))
        return st.one_of(
            _sized_lists(elem, lengths),
            _sized_lists(text_strategy(consts), lengths),
            _sized_lists(st.floats(-100, 100, allow_nan=False), lengths),
        )
    if static.TEXT_NAMES.search(name) or subs:
        if lengths:
            return st.one_of(
                text_strategy(consts, subs),
                *[st.text(alphabet=_PRINTABLE, min_size=n, max_size=n) for n in lengths[:4]],
            )
        return text_strategy(consts, subs)
    if static.INT_NAMES.search(name):
        return int_strategy(consts)
    if static.FLOAT_NAMES.search(name):
        return st.one_of(float_strategy(consts), int_strategy(consts))
    return None


def param_strategy(
    param: inspect.Parameter, hint: Any, lits: dict[str, Any], module: Any, cls: Any | None, key_prefix: str = ''
) -> st.SearchStrategy[Any] | None:
    """The strategy for one parameter (OMIT included when it has a default), or None if impossible."""
    name = param.name
    pconsts = resolve_consts(lits['params'].get(key_prefix + name, []), module, cls)
    allc = pconsts + [c for c in lits['_pool'] if c not in pconsts]
    subs = lits['substrings'].get(key_prefix + name, [])
    lengths = [n for n in lits['lengths'].get(key_prefix + name, []) if isinstance(n, int)]
    keys = lits['keys'].get(key_prefix + name, [])
    parts: list[st.SearchStrategy[Any]] = []
    if hint is not inspect.Parameter.empty and hint is not None:
        typed = hint_strategy(hint, allc, subs, lengths, keys)
        if typed is None:
            return None
        parts.append(typed)
        # Constants of a type the hint accepts: the exact values the branches test.
        fit = [c for c in pconsts if _accepts(hint, c)]
        if fit:
            parts.append(st.sampled_from(fit))
    else:
        guessed = name_strategy(name, allc, subs, lengths, keys)
        if guessed is None and static.CALLABLE_NAMES.match(name):
            return None
        if guessed is not None:
            parts.append(guessed)
        if pconsts:
            parts.append(st.sampled_from(pconsts))
            parts.append(st.sampled_from(pconsts))
        if param.default is not inspect.Parameter.empty and param.default is not None:
            d = param.default
            if isinstance(d, bool):
                parts.append(st.booleans())
            elif isinstance(d, int):
                parts.append(int_strategy(allc))
            elif isinstance(d, float):
                parts.append(float_strategy(allc))
            elif isinstance(d, str):
                parts.append(text_strategy(allc, subs))
            elif isinstance(d, (list, tuple)):
                parts.append(st.lists(generic_scalar(allc), max_size=5).map(type(d)))
        if not parts:
            parts.append(generic_value(allc))
    if param.default is not inspect.Parameter.empty and param.kind is not inspect.Parameter.POSITIONAL_ONLY:
        parts.append(st.just(OMIT))
    return st.one_of(parts)


def _accepts(hint: Any, value: Any) -> bool:
    try:
        if hint is float:
            return isinstance(value, (int, float)) and not isinstance(value, bool)
        if hint is int:
            return isinstance(value, int) and not isinstance(value, bool)
        if isinstance(hint, type):
            return isinstance(value, hint)
        origin = typing.get_origin(hint)
        if origin is typing.Union:
            return any(_accepts(a, value) for a in typing.get_args(hint))
        if origin is typing.Literal:
            return value in typing.get_args(hint)
    except Exception:  # noqa: BLE001
        return False
    return False


def signature_strategy(
    func: Any, lits: dict[str, Any], module: Any, cls: Any | None, skip_first: bool, key_prefix: str = ''
) -> tuple[st.SearchStrategy[dict[str, Any]] | None, list[inspect.Parameter], str | None]:
    """A strategy for the call's arguments as {param: value-or-OMIT}; or (None, params, reason)."""
    try:
        sig = inspect.signature(func)
    except (TypeError, ValueError) as exc:
        return None, [], f'no inspectable signature ({exc})'
    try:
        hints = typing.get_type_hints(func)
    except Exception:  # noqa: BLE001 - unresolvable hints: fall back to the other sources
        hints = {}
    params = [p for p in sig.parameters.values() if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    if skip_first and params and params[0].kind in (params[0].POSITIONAL_ONLY, params[0].POSITIONAL_OR_KEYWORD):
        params = params[1:]
    fields: dict[str, st.SearchStrategy[Any]] = {}
    for p in params:
        s = param_strategy(
            p,
            hints.get(p.name, p.annotation if not isinstance(p.annotation, str) else inspect.Parameter.empty),
            lits,
            module,
            cls,
            key_prefix,
        )
        if s is None:
            if p.default is not inspect.Parameter.empty:
                fields[p.name] = st.just(OMIT)
                continue
            return (
                None,
                params,
                f'parameter {p.name!r} needs a value that cannot be written as a literal (callable or opaque type)',
            )
        fields[p.name] = s
    return st.fixed_dictionaries(fields), params, None
