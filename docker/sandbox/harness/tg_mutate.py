"""Mutants of the changed lines: small edits of the code under test that a test with a real
oracle should notice (issue 15, "test strength").

Only lines inside a function body are mutated: a function's code can be swapped into the
live function object of a file server's child (`__code__`), while module and class bodies
ran once, at import, before any test. Each mutant is the whole function compiled again with
one AST node changed, so line numbers, closures and the rest of the module stay as they are.
Pure analysis: nothing here runs repository code.
"""

from __future__ import annotations

import ast
import base64
import copy
import marshal
import types

# Calls whose line only says something (to a log, a terminal, a warning filter): a mutant
# there changes no value a test could check.
ARID_CALL_NAMES = frozenset(
    {'print', 'debug', 'info', 'warning', 'warn', 'error', 'exception', 'critical', 'log', 'trace', 'fatal'}
)
ARID_CALL_OWNERS = frozenset({'logging', 'logger', 'log', '_log', '_logger', 'LOGGER', 'LOG', 'warnings', 'self.log'})

COMPARE_SWAPS = {
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
}
ARITHMETIC_SWAPS = {
    ast.Add: ast.Sub,
    ast.Sub: ast.Add,
    ast.Mult: ast.FloorDiv,
    ast.Div: ast.Mult,
    ast.FloorDiv: ast.Mult,
    ast.Mod: ast.FloorDiv,
    ast.Pow: ast.Mult,
    ast.LShift: ast.RShift,
    ast.RShift: ast.LShift,
    ast.BitAnd: ast.BitOr,
    ast.BitOr: ast.BitAnd,
}
OP_TEXT = {
    ast.Lt: '<',
    ast.LtE: '<=',
    ast.Gt: '>',
    ast.GtE: '>=',
    ast.Eq: '==',
    ast.NotEq: '!=',
    ast.In: 'in',
    ast.NotIn: 'not in',
    ast.Is: 'is',
    ast.IsNot: 'is not',
    ast.Add: '+',
    ast.Sub: '-',
    ast.Mult: '*',
    ast.Div: '/',
    ast.FloorDiv: '//',
    ast.Mod: '%',
    ast.Pow: '**',
    ast.LShift: '<<',
    ast.RShift: '>>',
    ast.BitAnd: '&',
    ast.BitOr: '|',
    ast.And: 'and',
    ast.Or: 'or',
}
# Which kinds a line's mutants are drawn from first when the per-line cap cuts them.
OPERATOR_ORDER = ('condition', 'compare', 'boolean', 'arithmetic', 'constant', 'raise', 'return')


class _Site:
    """One possible edit: a path to the node in the function's AST and how to change it."""

    def __init__(self, operator, line, col, original, replacement, apply, value_changing=True):
        self.operator = operator
        self.line = line
        self.col = col
        self.original = original
        self.replacement = replacement
        self.apply = apply  # (copied function node) -> None, edits the copy
        self.value_changing = value_changing


def mutants(path: str, rel: str, lines, max_per_line: int, max_total: int) -> dict:
    """The mutants of `lines` of the file at `path` (shown as `rel`).

    Returns {'mutants': [...], 'changedLines', 'aridLines', 'equivalent', 'capped'}; each
    mutant has id, file, line, col, operator, original, replacement, valueChanging,
    qualname, firstLine (of the function object to patch) and code (its marshalled code
    object, base64).
    """
    out = {'mutants': [], 'changedLines': 0, 'aridLines': 0, 'equivalent': 0, 'capped': False}
    try:
        with open(path, 'rb') as f:
            source = f.read()
        module = ast.parse(source, filename=path)
        original_code = compile(module, path, 'exec', dont_inherit=True)
    except (OSError, SyntaxError, ValueError, RecursionError, MemoryError):
        return out  # a file the compiler cannot take whole gets no mutants
    wanted = set(int(n) for n in lines)
    per_line: dict = {}
    for qualname, fn in _patchable_functions(module):
        for stmt_line, sites in _function_sites(fn, wanted):
            if sites is None:
                out['aridLines'] += 1
                continue
            per_line.setdefault(stmt_line, {'qualname': qualname, 'fn': fn, 'sites': []})['sites'].extend(sites)
    out['changedLines'] = len(per_line) + out['aridLines']
    chosen_by_line = {}
    for line in sorted(per_line):
        entry = per_line[line]
        sites = _diverse(entry['sites'])
        if len(sites) > max_per_line:
            out['capped'] = True
        chosen_by_line[line] = (entry, sites)
    # Round-robin over the lines: under the total cap every changed line gets its first
    # mutant before any line gets a second.
    order = []
    depth = 0
    while True:
        added = False
        for line in sorted(chosen_by_line):
            entry, sites = chosen_by_line[line]
            if depth < len(sites):
                order.append((entry, sites[depth]))
                added = True
        if not added:
            break
        depth += 1
    kept = 0
    tried_per_line: dict = {}
    for entry, site in order:
        if tried_per_line.get(site.line, 0) >= max_per_line:
            continue
        if kept >= max_total:
            out['capped'] = True
            break
        code = _compile_mutant(module, entry['fn'], site, path)
        if code is None:
            continue
        original = _function_code(original_code, entry['qualname'], _first_line(entry['fn']))
        if original is not None and _same_code(original, code):
            out['equivalent'] += 1
            continue
        tried_per_line[site.line] = tried_per_line.get(site.line, 0) + 1
        kept += 1
        out['mutants'].append(
            {
                'id': 'm%d' % kept,
                'file': rel,
                'line': site.line,
                'col': site.col,
                'operator': site.operator,
                'original': site.original[:200],
                'replacement': site.replacement[:200],
                'valueChanging': site.value_changing,
                'qualname': entry['qualname'],
                'firstLine': _first_line(entry['fn']),
                'code': base64.b64encode(marshal.dumps(code)).decode('ascii'),
            }
        )
    return out


def load_code(encoded: str):
    """The code object of a mutant (as `mutants` encoded it)."""
    return marshal.loads(base64.b64decode(encoded))


def _patchable_functions(module):
    """(qualname, def node) of every function that exists once the module imported: defs at
    module level and in class bodies (nested classes too). A nested def is part of its
    enclosing function's code, so it is mutated through that one."""

    def walk(body, prefix):
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                yield prefix + node.name, node
            elif isinstance(node, ast.ClassDef):
                yield from walk(node.body, prefix + node.name + '.')
            elif isinstance(node, (ast.If, ast.Try)):
                # `if TYPE_CHECKING:` / `try: ... except ImportError:` definitions.
                for part in [node.body, getattr(node, 'orelse', []), getattr(node, 'finalbody', [])]:
                    yield from walk(part, prefix)
                for handler in getattr(node, 'handlers', []):
                    yield from walk(handler.body, prefix)

    yield from walk(module.body, '')


def _first_line(fn) -> int:
    # CPython gives a decorated function's code the first decorator's line.
    return min([fn.lineno] + [d.lineno for d in fn.decorator_list])


def _function_sites(fn, wanted: set):
    """(line, sites) per wanted line of statements in fn's body; sites None for an arid line."""
    seen = set()
    for stmt in _statements(fn.body):
        line = stmt.lineno
        if line not in wanted or line in seen:
            continue
        seen.add(line)
        if _arid(stmt):
            yield line, None
            continue
        yield line, list(_sites_of(fn, stmt))


def _statements(body):
    for stmt in body:
        yield stmt
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            yield from _statements(stmt.body)
            continue
        for field in ('body', 'orelse', 'finalbody'):
            inner = getattr(stmt, field, None)
            if isinstance(inner, list):
                yield from _statements(inner)
        for handler in getattr(stmt, 'handlers', []) or []:
            yield from _statements(handler.body)
        for case in getattr(stmt, 'cases', []) or []:
            yield from _statements(case.body)


def _arid(stmt) -> bool:
    if isinstance(stmt, (ast.Pass, ast.Import, ast.ImportFrom, ast.Global, ast.Nonlocal)):
        return True
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return True  # the def line itself: its body's lines are mutated on their own
    if isinstance(stmt, ast.Expr):
        value = stmt.value
        if isinstance(value, ast.Constant):
            return True  # a docstring or a bare `...`
        if isinstance(value, ast.Call):
            func = value.func
            if isinstance(func, ast.Name) and func.id == 'print':
                return True
            if isinstance(func, ast.Attribute) and func.attr in ARID_CALL_NAMES:
                owner = ast.unparse(func.value)
                if owner in ARID_CALL_OWNERS or owner.endswith(('logger', 'log', 'LOGGER')):
                    return True
    return False


def _sites_of(fn, stmt):
    """The edits of one statement's own line: nodes of the statement that start on it (not
    the bodies of compound statements, whose lines are their own)."""
    line = stmt.lineno
    path_of = _paths(fn)

    def at(node):
        return path_of[id(node)]

    if isinstance(stmt, ast.If):
        heads = [stmt.test]
        # False first: under a small per-line cap, dropping a guard is the mutant a test can
        # tell apart; forcing it true sends every caller down one branch.
        for forced in (False, True):
            yield _Site(
                'condition',
                line,
                stmt.col_offset,
                ast.unparse(stmt.test),
                str(forced),
                _setter(at(stmt), 'test', ast.Constant(value=forced)),
            )
    elif isinstance(stmt, (ast.While, ast.For, ast.AsyncFor, ast.With, ast.AsyncWith, ast.Try)):
        heads = [stmt.test] if isinstance(stmt, ast.While) else []
        if isinstance(stmt, (ast.For, ast.AsyncFor)):
            heads = [stmt.iter]
        if isinstance(stmt, (ast.With, ast.AsyncWith)):
            heads = [i.context_expr for i in stmt.items]
    elif isinstance(stmt, ast.Raise):
        yield _Site('raise', line, stmt.col_offset, ast.unparse(stmt), 'pass', _replacer(at(stmt), ast.Pass()))
        return
    elif isinstance(stmt, ast.Return):
        heads = [stmt.value] if stmt.value is not None else []
        if stmt.value is not None and not (isinstance(stmt.value, ast.Constant) and stmt.value.value is None):
            yield _Site(
                'return',
                line,
                stmt.col_offset,
                ast.unparse(stmt),
                'return None',
                _setter(at(stmt), 'value', ast.Constant(value=None)),
                value_changing=False,
            )
    else:
        heads = [stmt]
    for head in heads:
        for node in ast.walk(head):
            if getattr(node, 'lineno', None) != line or isinstance(node, (ast.Lambda, ast.FunctionDef)):
                continue
            yield from _expression_sites(node, at)


def _expression_sites(node, at):
    line, col = node.lineno, node.col_offset
    if isinstance(node, ast.Compare):
        for i, op in enumerate(node.ops):
            swap = COMPARE_SWAPS.get(type(op))
            if swap is not None:
                yield _Site('compare', line, col, OP_TEXT[type(op)], OP_TEXT[swap], _op_setter(at(node), i, swap))
    elif isinstance(node, ast.BoolOp):
        other = ast.Or if isinstance(node.op, ast.And) else ast.And
        yield _Site('boolean', line, col, OP_TEXT[type(node.op)], OP_TEXT[other], _setter(at(node), 'op', other()))
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        yield _Site('boolean', line, col, ast.unparse(node), ast.unparse(node.operand), _unwrap_not(at(node)))
    elif isinstance(node, (ast.BinOp, ast.AugAssign)):
        swap = ARITHMETIC_SWAPS.get(type(node.op))
        if swap is not None and not _identity_operand(node):
            yield _Site('arithmetic', line, col, OP_TEXT[type(node.op)], OP_TEXT[swap], _setter(at(node), 'op', swap()))
    elif isinstance(node, ast.Constant) and type(node.value) in (int, float, bool):
        value = node.value
        new = (not value) if isinstance(value, bool) else value + 1
        yield _Site('constant', line, col, repr(value), repr(new), _setter(at(node), 'value', new))


def _identity_operand(node) -> bool:
    """`x * 1`, `x / 1`, `x + 0`, `x - 0`: swapping the operator keeps the value (an
    equivalent mutant no test can kill)."""
    right = node.value if isinstance(node, ast.AugAssign) else node.right
    left = None if isinstance(node, ast.AugAssign) else node.left
    for side in (right, left):
        if isinstance(side, ast.Constant) and type(side.value) in (int, float):
            if isinstance(node.op, (ast.Mult, ast.Div, ast.FloorDiv, ast.Pow)) and side.value == 1:
                return True
            if isinstance(node.op, (ast.Add, ast.Sub)) and side.value == 0:
                return True
    return False


def _diverse(sites: list) -> list:
    """A line's sites, interleaved by operator kind so that a small cap keeps different kinds."""
    by_kind: dict = {}
    for s in sites:
        by_kind.setdefault(s.operator, []).append(s)
    out = []
    depth = 0
    while len(out) < len(sites):
        for kind in OPERATOR_ORDER:
            group = by_kind.get(kind) or []
            if depth < len(group):
                out.append(group[depth])
        depth += 1
    return out


# ---------- building a mutant's code ----------


def _paths(fn):
    """id(node) -> the path of (field, index) steps from fn to it."""
    paths = {id(fn): ()}
    stack = [fn]
    while stack:
        node = stack.pop()
        base = paths[id(node)]
        for field, value in ast.iter_fields(node):
            if isinstance(value, ast.AST):
                paths[id(value)] = base + ((field, None),)
                stack.append(value)
            elif isinstance(value, list):
                for i, item in enumerate(value):
                    if isinstance(item, ast.AST):
                        paths[id(item)] = base + ((field, i),)
                        stack.append(item)
    return paths


def _follow(root, path):
    node = root
    for field, index in path:
        node = getattr(node, field)
        if index is not None:
            node = node[index]
    return node


def _setter(path, field, value):
    def apply(fn_copy):
        setattr(_follow(fn_copy, path), field, copy.deepcopy(value) if isinstance(value, ast.AST) else value)

    return apply


def _op_setter(path, index, op_type):
    def apply(fn_copy):
        _follow(fn_copy, path).ops[index] = op_type()

    return apply


def _replacer(path, new_node):
    def apply(fn_copy):
        parent = _follow(fn_copy, path[:-1])
        field, index = path[-1]
        node = copy.deepcopy(new_node)
        old = getattr(parent, field)[index]
        ast.copy_location(node, old)
        getattr(parent, field)[index] = node

    return apply


def _unwrap_not(path):
    def apply(fn_copy):
        parent = _follow(fn_copy, path[:-1])
        field, index = path[-1]
        operand = _follow(fn_copy, path).operand
        if index is None:
            setattr(parent, field, operand)
        else:
            getattr(parent, field)[index] = operand

    return apply


def _compile_mutant(module, fn, site, path):
    """The mutated function's code object, compiled in the module's place (same lines,
    same qualname, same enclosing classes); None when the edit does not compile."""
    mutated = copy.deepcopy(module)
    target = None
    for _qualname, candidate in _patchable_functions(mutated):
        if candidate.lineno == fn.lineno and candidate.name == fn.name:
            target = candidate
            break
    if target is None:
        return None
    try:
        site.apply(target)
        ast.fix_missing_locations(mutated)
        code = compile(mutated, path, 'exec', dont_inherit=True)
    except (SyntaxError, ValueError, TypeError, AttributeError, IndexError, RecursionError):
        return None
    qualname = next(q for q, c in _patchable_functions(mutated) if c is target)
    return _function_code(code, qualname, _first_line(fn))


def _function_code(code, qualname: str, first_line: int):
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            if const.co_qualname == qualname and const.co_firstlineno == first_line:
                return const
            if const.co_name.startswith('<') or '.' in qualname:
                # Class bodies hold their methods' code.
                found = _function_code(const, qualname, first_line)
                if found is not None:
                    return found
    return None


def _same_code(a, b) -> bool:
    """Same bytecode, names and constants (recursively): the compiler folded the edit away."""
    if a.co_code != b.co_code or a.co_names != b.co_names or len(a.co_consts) != len(b.co_consts):
        return False
    for x, y in zip(a.co_consts, b.co_consts):
        if isinstance(x, types.CodeType) and isinstance(y, types.CodeType):
            if not _same_code(x, y):
                return False
        elif type(x) is not type(y) or x != y:
            return False
    return True
