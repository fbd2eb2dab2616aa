"""Static facts about a target function, read from its source without importing it.

Everything here runs in the harness process, on the PR's source text only: the PR's code
is never executed outside the explorer child (worker.py).
"""

from __future__ import annotations

import ast
import re
from typing import Any

# Calls whose result depends on the clock, randomness or the environment: a test pinning
# their output would be flaky, so such functions are skipped before exploration.
_NONDETERMINISTIC = {
    'time': 'the clock',
    'monotonic': 'the clock',
    'perf_counter': 'the clock',
    'process_time': 'the clock',
    'time_ns': 'the clock',
    'monotonic_ns': 'the clock',
    'perf_counter_ns': 'the clock',
    'now': 'the clock',
    'utcnow': 'the clock',
    'today': 'the clock',
    'localtime': 'the clock',
    'gmtime': 'the clock',
    'ctime': 'the clock',
    'asctime': 'the clock',
    'strftime': None,
    'uuid1': 'randomness',
    'uuid4': 'randomness',
    'urandom': 'randomness',
    'getrandbits': 'randomness',
    'token_hex': 'randomness',
    'token_bytes': 'randomness',
    'token_urlsafe': 'randomness',
    'getpid': 'the process id',
    'getenv': 'the environment',
    'environ': 'the environment',
    'id': 'object identity',
}
_NONDET_MODULES = {'random': 'randomness', 'secrets': 'randomness', 'uuid': 'randomness'}
# Calls that reach outside the process. The explorer's audit hook catches what this misses.
_IO_CALLS = {
    'open': 'file I/O',
    'input': 'reads stdin',
    'read_text': 'file I/O',
    'write_text': 'file I/O',
    'read_bytes': 'file I/O',
    'write_bytes': 'file I/O',
    'listdir': 'file-system access',
    'scandir': 'file-system access',
    'walk': 'file-system access',
    'exists': 'file-system access',
    'isfile': 'file-system access',
    'isdir': 'file-system access',
    'stat': 'file-system access',
    'mkdir': 'file-system access',
    'makedirs': 'file-system access',
    'unlink': 'file-system access',
    'remove': None,
    'glob': 'file-system access',
    'iterdir': 'file-system access',
    'urlopen': 'network access',
    'create_connection': 'network access',
    'system': 'runs commands',
    'sleep': 'sleeps',
}
_IO_MODULES = {
    'socket': 'network access',
    'requests': 'network access',
    'httpx': 'network access',
    'urllib3': 'network access',
    'subprocess': 'runs commands',
    'shutil': 'file-system access',
    'http': 'network access',
    'asyncio': 'async I/O',
    'sqlite3': 'database access',
    'threading': 'threads',
    'multiprocessing': 'processes',
}

TEXT_NAMES = re.compile(
    r'^(name|names?_?|text|s|st|string|str|word|words|label|title|msg|message|prefix|suffix|sep|separator|'
    r'delim|delimiter|line|lines?_?|pattern|pat|fmt|format|code|char|ch|email|url|uri|host|hostname|slug|'
    r'key|token|value_str|raw|source|src|template|tag|query|sentence|phrase|content|body|header|username|'
    r'user|currency|unit|mode|kind|op|operator|symbol|locale|lang|language|encoding|version|ident|identifier|'
    r'first|last|first_name|last_name|filename|path|file|fname|directory|dir|folder|ext|extension)$|'
    r'(_name|_text|_str|_string|_msg|_label|_key|_prefix|_suffix|_pattern|_code|_id_str|_url|_path)$'
)
INT_NAMES = re.compile(
    r'^(n|num|number|count|cnt|index|idx|i|j|k|m|size|length|len|width|height|limit|offset|start|stop|end|'
    r'step|level|depth|times|age|year|month|day|hour|minute|second|port|pos|position|lo|hi|low|high|'
    r'min|max|minimum|maximum|lower|upper|bound|base|digits|places|precision|retries|attempts|page|'
    r'per_page|capacity|total|quantity|qty|score|rank|row|col|column|line_no|lineno|bits|nbytes|ndigits)$|'
    r'^(n_|num_|max_|min_)|(_count|_index|_idx|_size|_len|_length|_num|_limit|_id|_level|_days|_seconds)$'
)
FLOAT_NAMES = re.compile(
    r'^(x|y|z|r|g|b|h|l|v|a|rate|ratio|factor|scale|weight|alpha|beta|gamma|prob|probability|p|q|'
    r'temperature|temp|fraction|percent|percentage|pct|threshold|tolerance|tol|eps|epsilon|price|cost|'
    r'amount|value|val|balance|discount|tax|fee|salary|distance|speed|angle|radius|lat|lon|lng|'
    r'latitude|longitude|celsius|fahrenheit|kelvin|mass|volume)$|'
    r'(_rate|_ratio|_factor|_price|_amount|_pct|_percent|_weight|_score)$'
)
BOOL_NAMES = re.compile(
    r'^(is_|has_|can_|should_|allow|enable|disable|use_|with_|include_|skip_|strict|verbose|force|'
    r'reverse|inclusive|exclusive|recursive|ignore_case|case_sensitive|dry_run|quiet|debug|flag|'
    r'keepends|fix_sentence_endings|drop_whitespace|replace_whitespace|break_long_words|'
    r'break_on_hyphens|expand_tabs|escape|quote)'
)
LIST_NAMES = re.compile(
    r'^(items|values|xs|ys|seq|sequence|elements|elems|data|nums|numbers|ints|list|lst|arr|array|vals|'
    r'scores|prices|amounts|weights|entries|records|rows|args|parts|tokens|words|tags|ids|keys)$|'
    r'(_list|_items|_values|s_list)$'
)
DICT_NAMES = re.compile(
    r'^(mapping|d|dct|dict|options|opts|config|cfg|settings|params|kwargs|headers|attrs|attributes|'
    r'counts|table|lookup|env|context|ctx|meta|metadata|payload|obj|record|row_dict)$|(_map|_dict|_by_\w+)$'
)
CALLABLE_NAMES = re.compile(r'^(func|fn|f|callback|cb|handler|predicate|pred|key_func|hook|factory)$')


def find_function(tree: ast.Module, qualname: str) -> tuple[ast.AST | None, list[ast.ClassDef]]:
    """The def node for `func` or `Class.method` (nested classes too), and its enclosing classes."""
    parts = qualname.split('.')
    body: list[ast.stmt] = tree.body
    classes: list[ast.ClassDef] = []
    for i, part in enumerate(parts):
        found: ast.AST | None = None
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name == part:
                found = node
        if found is None:
            return None, classes
        if i == len(parts) - 1:
            return found, classes
        if not isinstance(found, ast.ClassDef):
            return None, classes
        classes.append(found)
        body = found.body
    return None, classes


def _is_literal_node(node: ast.AST) -> bool:
    try:
        ast.literal_eval(node)
        return True
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False


def _add_const(pool: list[Any], value: Any) -> None:
    if isinstance(value, dict):  # a {"global": NAME} placeholder, resolved in the explorer
        if value not in pool:
            pool.append(value)
        return
    if isinstance(value, (bool, int, float, str, bytes)) or value is None:
        if isinstance(value, (str, bytes)) and len(value) > 200:
            return
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 10**18:
            return
        key = (type(value).__name__, repr(value))
        for v in pool:
            if (type(v).__name__, repr(v)) == key:
                return
        pool.append(value)


def _body_without_docstring(fn: ast.AST) -> list[ast.stmt]:
    body = list(getattr(fn, 'body', []))
    if (
        body
        and isinstance(body[0], ast.Expr)
        and isinstance(body[0].value, ast.Constant)
        and isinstance(body[0].value.value, str)
    ):
        body = body[1:]
    return body


def _walk_own(fn: ast.AST):
    """Nodes of the function body, not descending into nested defs/classes/lambdas."""
    stack: list[ast.AST] = list(_body_without_docstring(fn))
    while stack:
        node = stack.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
                continue
            stack.append(child)


def _param_names(fn: ast.AST) -> list[str]:
    a = fn.args  # type: ignore[attr-defined]
    return [p.arg for p in a.posonlyargs + a.args + a.kwonlyargs]


def _root_name(node: ast.AST) -> str | None:
    """`x` for `x`, `x.attr`, `x[0]`, `x.strip()`, `len(x)`: the parameter an expression is about."""
    while True:
        if isinstance(node, ast.Name):
            return node.id
        if isinstance(node, ast.Attribute):
            node = node.value
        elif isinstance(node, ast.Subscript):
            node = node.value
        elif isinstance(node, ast.Call):
            if isinstance(node.func, ast.Attribute):
                node = node.func.value
            elif node.args:
                node = node.args[0]
            else:
                return None
        elif isinstance(node, ast.UnaryOp):
            node = node.operand
        elif isinstance(node, ast.BinOp):
            node = node.left
        else:
            return None


def extract_literals(fn: ast.AST) -> dict[str, Any]:
    """Constants the function compares against, so branches guarded by them are reachable.

    Returns {"all": [...], "params": {param: [...]}, "lengths": {param: [...]},
    "keys": {param: [...]}, "substrings": {param: [...]}, "globals": [names]}.
    """
    found = _Literals(fn)
    for node in _walk_own(fn):
        found.visit(node)
    return found.out


# String methods whose constant arguments are substrings of the string they are called on.
_SUBSTRING_METHODS = frozenset(
    {
        'startswith',
        'endswith',
        'split',
        'rsplit',
        'partition',
        'rpartition',
        'find',
        'index',
        'count',
        'replace',
        'strip',
        'lstrip',
        'rstrip',
        'removeprefix',
        'removesuffix',
    }
)
# Mapping methods whose first constant argument is a key.
_KEY_METHODS = frozenset({'get', 'pop', 'setdefault', '__getitem__', '__contains__'})


def _numeric_neighbours(value: Any) -> list[Any]:
    if isinstance(value, bool):
        return [value]
    if isinstance(value, int):
        return [value - 1, value, value + 1]
    if isinstance(value, float):
        return [value - 0.5, value, value + 0.5]
    return [value]


class _Literals:
    """What extract_literals collects, node by node."""

    def __init__(self, fn: ast.AST) -> None:
        self.params = set(_param_names(fn))
        self.out: dict[str, Any] = {'all': [], 'params': {}, 'lengths': {}, 'keys': {}, 'substrings': {}, 'globals': []}
        self.local_names: set[str] = set(self.params)
        for node in _walk_own(fn):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                self.local_names.add(node.id)

    def for_param(self, kind: str, name: str | None, value: Any) -> None:
        if name is None or name not in self.params:
            return
        _add_const(self.out[kind].setdefault(name, []), value)

    def visit(self, node: ast.AST) -> None:
        out = self.out
        if isinstance(node, ast.Constant) and not isinstance(node.value, type(Ellipsis)):
            _add_const(out['all'], node.value)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id not in self.local_names:
            if node.id not in out['globals']:
                out['globals'].append(node.id)
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in ('self', 'cls'):
            if ('self.' + node.attr) not in out['globals']:
                out['globals'].append('self.' + node.attr)
        if isinstance(node, ast.Compare):
            self.compare(node)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            self.method_call(node)
        elif isinstance(node, ast.Subscript):
            self.subscript(node)
        elif isinstance(node, ast.Dict):
            for k in node.keys:
                if isinstance(k, ast.Constant):
                    _add_const(out['all'], k.value)

    def compare(self, node: ast.Compare) -> None:
        operands = [node.left, *node.comparators]
        for i, op in enumerate(node.ops):
            left, right = operands[i], operands[i + 1]
            if isinstance(op, (ast.In, ast.NotIn)):
                self.membership(left, right)
                continue
            for a, b in ((left, right), (right, left)):
                self.comparison(a, b)

    def membership(self, left: ast.AST, right: ast.AST) -> None:
        """`x in ("a", "b")`: the container's elements; `"@" in s`: a substring of s."""
        if isinstance(right, (ast.Tuple, ast.List, ast.Set)):
            for elt in right.elts:
                if isinstance(elt, ast.Constant):
                    _add_const(self.out['all'], elt.value)
                    self.for_param('params', _root_name(left), elt.value)
        elif isinstance(right, ast.Dict):
            for k in right.keys:
                if isinstance(k, ast.Constant):
                    self.for_param('params', _root_name(left), k.value)
        elif isinstance(right, ast.Name) and right.id not in self.local_names:
            # A module-level collection: resolved in the explorer.
            self.for_param('params', _root_name(left), {'global': right.id})
        if isinstance(left, ast.Constant):
            if isinstance(left.value, str):
                self.for_param('substrings', _root_name(right), left.value)
            self.for_param('keys', _root_name(right), left.value)

    def comparison(self, a: ast.AST, b: ast.AST) -> None:
        """`a <op> b` with b a literal: b's neighbours for a (or for the argument of `len(a)`)."""
        if isinstance(b, ast.Constant):
            root = _root_name(a)
            if isinstance(a, ast.Call) and isinstance(a.func, ast.Name) and a.func.id == 'len' and a.args:
                for v in _numeric_neighbours(b.value):
                    if isinstance(v, int) and 0 <= v <= 50:
                        self.for_param('lengths', _root_name(a.args[0]), v)
                return
            for v in _numeric_neighbours(b.value):
                self.for_param('params', root, v)
                _add_const(self.out['all'], v)
        elif isinstance(b, (ast.UnaryOp,)) and _is_literal_node(b):
            v = ast.literal_eval(b)
            for w in _numeric_neighbours(v):
                self.for_param('params', _root_name(a), w)
                _add_const(self.out['all'], w)
        elif isinstance(b, ast.Name) and b.id not in self.local_names and isinstance(a, ast.Name):
            self.for_param('params', a.id, {'global': b.id})

    def method_call(self, node: ast.Call) -> None:
        attr = node.func.attr
        root = _root_name(node.func.value)
        consts = [a.value for a in node.args if isinstance(a, ast.Constant)]
        if isinstance(node.func.value, ast.Constant):
            return
        if attr in _SUBSTRING_METHODS:
            for c in consts:
                if isinstance(c, (str, bytes)):
                    self.for_param('substrings', root, c)
            for a in node.args:
                if isinstance(a, ast.Tuple):
                    for elt in a.elts:
                        if isinstance(elt, ast.Constant) and isinstance(elt.value, str):
                            self.for_param('substrings', root, elt.value)
        elif attr in _KEY_METHODS:
            for c in consts[:1]:
                self.for_param('keys', root, c)

    def subscript(self, node: ast.Subscript) -> None:
        sl = node.slice
        if isinstance(sl, ast.Constant) and isinstance(sl.value, str):
            self.for_param('keys', _root_name(node.value), sl.value)
        elif isinstance(sl, ast.Constant) and isinstance(sl.value, int):
            self.for_param('lengths', _root_name(node.value), abs(sl.value) + 1)
        elif isinstance(sl, ast.Slice):
            for bound in (sl.lower, sl.upper):
                if isinstance(bound, ast.Constant) and isinstance(bound.value, int):
                    self.for_param('lengths', _root_name(node.value), abs(bound.value))
                    self.for_param('lengths', _root_name(node.value), abs(bound.value) + 1)


def _dotted(node: ast.AST) -> list[str]:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    return list(reversed(parts))


def _module_functions(tree: ast.Module) -> dict[str, ast.AST]:
    return {n.name: n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}


def hazards(tree: ast.Module, fn: ast.AST, depth: int = 2) -> str | None:
    """Why the function cannot get stable, offline tests, or None.

    Scans the body and, `depth` levels down, the module-level helpers it calls by name.
    """
    helpers = _module_functions(tree)
    seen: set[int] = set()
    queue: list[tuple[ast.AST, int]] = [(fn, 0)]
    while queue:
        node_fn, level = queue.pop()
        if id(node_fn) in seen:
            continue
        seen.add(id(node_fn))
        for node in _walk_own(node_fn):
            if isinstance(node, (ast.Attribute, ast.Name)):
                chain = _dotted(node)
                if not chain:
                    continue
                if chain[0] in _NONDET_MODULES and len(chain) > 1:
                    return f'uses {_NONDET_MODULES[chain[0]]} ({".".join(chain)})'
                if chain[0] in _IO_MODULES and len(chain) > 1:
                    return f'{_IO_MODULES[chain[0]]} ({".".join(chain)})'
                last = chain[-1]
                if (
                    len(chain) > 1
                    and last in _NONDETERMINISTIC
                    and _NONDETERMINISTIC[last]
                    and chain[0]
                    in ('time', 'datetime', 'date', 'dt', 'os', 'uuid', 'secrets', 'random', 'pendulum', 'arrow')
                ):
                    return f'uses {_NONDETERMINISTIC[last]} ({".".join(chain)})'
            if isinstance(node, ast.Call):
                chain = _dotted(node.func)
                if not chain:
                    continue
                last = chain[-1]
                if (
                    last in _IO_CALLS
                    and _IO_CALLS[last]
                    and (
                        len(chain) == 1
                        and last in ('open', 'input')
                        or len(chain) > 1
                        and chain[0] in ('os', 'Path', 'pathlib', 'glob', 'time', 'urllib', 'io', 'shutil')
                        or len(chain) > 1
                        and last
                        in (
                            'read_text',
                            'write_text',
                            'read_bytes',
                            'write_bytes',
                            'iterdir',
                            'mkdir',
                            'unlink',
                            'urlopen',
                        )
                    )
                ):
                    return _IO_CALLS[last] + f' ({".".join(chain)})'
                if len(chain) == 1 and chain[0] == 'id':
                    return 'uses object identity (id)'
                if len(chain) == 1 and chain[0] in helpers and level < depth:
                    queue.append((helpers[chain[0]], level + 1))
    return None


def kind_of(fn: ast.AST, classes: list[ast.ClassDef]) -> str:
    """'function' | 'method' | 'staticmethod' | 'classmethod' | 'property' | 'async'."""
    if isinstance(fn, ast.AsyncFunctionDef):
        return 'async'
    if not classes:
        return 'function'
    for dec in fn.decorator_list:  # type: ignore[attr-defined]
        name = _dotted(dec)
        if name and name[-1] == 'staticmethod':
            return 'staticmethod'
        if name and name[-1] == 'classmethod':
            return 'classmethod'
        if name and (name[-1] in ('property', 'cached_property') or name[-1] in ('setter', 'getter', 'deleter')):
            return 'property'
    return 'method'


def is_generator(fn: ast.AST) -> bool:
    return any(isinstance(n, (ast.Yield, ast.YieldFrom)) for n in _walk_own(fn))


_DOCTEST = re.compile(r'^\s*>>>\s?(.*)$')


def doctest_calls(fn: ast.AST, name: str) -> list[dict[str, Any]]:
    """Literal calls of `name` in the docstring's `>>>` examples: [{"args": [src], "kwargs": {k: src}}]."""
    doc = ast.get_docstring(fn) or ''  # type: ignore[arg-type]
    calls: list[dict[str, Any]] = []
    for line in doc.splitlines():
        m = _DOCTEST.match(line)
        if not m:
            continue
        try:
            expr = ast.parse(m.group(1).strip(), mode='eval').body
        except SyntaxError:
            continue
        for node in ast.walk(expr):
            if isinstance(node, ast.Call) and _dotted(node.func)[-1:] == [name]:
                if all(_is_literal_node(a) for a in node.args) and all(
                    k.arg and _is_literal_node(k.value) for k in node.keywords
                ):
                    calls.append(
                        {
                            'args': [ast.unparse(a) for a in node.args],
                            'kwargs': {k.arg: ast.unparse(k.value) for k in node.keywords},
                        }
                    )
    return calls[:20]


def guard_conditions(fn: ast.AST) -> dict[int, str]:
    """Line -> the source of the innermost `if` condition leading to it (`not ...` in an `else`).

    Used to name tests after the behaviour they pin (`..._when_amount_lt_0`).
    """
    guards: dict[int, str] = {}

    def mark(stmts: list[ast.stmt], cond: str) -> None:
        for sub in stmts:
            for ln in range(sub.lineno, (getattr(sub, 'end_lineno', sub.lineno) or sub.lineno) + 1):
                guards[ln] = cond

    def visit(stmts: list[ast.stmt]) -> None:
        # Outer blocks are marked before inner ones, so the innermost condition wins.
        for st in stmts:
            if isinstance(st, ast.If):
                test = ast.unparse(st.test)
                mark(st.body, test)
                if st.orelse and not isinstance(st.orelse[0], ast.If):
                    mark(st.orelse, f'not {test}')
                visit(st.body)
                visit(st.orelse)
            else:
                for field in ('body', 'orelse', 'finalbody'):
                    visit(getattr(st, field, []) or [])
                for h in getattr(st, 'handlers', []) or []:
                    mark(h.body, f'on {ast.unparse(h.type)}' if h.type is not None else 'on error')
                    visit(h.body)

    visit(_body_without_docstring(fn))
    return guards


def statement_lines(fn: ast.AST, kinds: tuple[type, ...]) -> list[int]:
    return sorted({n.lineno for n in _walk_own(fn) if isinstance(n, kinds)})


def describe_target(tree: ast.Module, qualname: str) -> dict[str, Any] | None:
    """Everything the explorer and the emitter need to know about one target, or None if absent."""
    fn, classes = find_function(tree, qualname)
    if fn is None or not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return None
    init = None
    if classes:
        for node in classes[-1].body:
            if isinstance(node, ast.FunctionDef) and node.name == '__init__':
                init = node
    lits = extract_literals(fn)
    if init is not None:
        ilits = extract_literals(init)
        for k, v in ilits['params'].items():
            lits['params'].setdefault('__init__.' + k, v)
        for v in ilits['all']:
            _add_const(lits['all'], v)
    name = qualname.split('.')[-1]
    return {
        'qualname': qualname,
        'name': name,
        'kind': kind_of(fn, classes),
        'generator': is_generator(fn),
        'startLine': fn.lineno,
        'endLine': fn.end_lineno or fn.lineno,
        'literals': lits,
        'doctests': doctest_calls(fn, name),
        'guards': {str(k): v for k, v in guard_conditions(fn).items()},
        'returnLines': statement_lines(fn, (ast.Return,)),
        'raiseLines': statement_lines(fn, (ast.Raise,)),
        'hazard': hazards(tree, fn),
        'className': classes[-1].name if classes else None,
    }
