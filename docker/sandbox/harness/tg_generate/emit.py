"""Write the chosen cases as a readable pytest module: one test per behaviour."""

from __future__ import annotations

import json
import keyword
import re
from typing import Any

_OPS = [
    ('<=', ' le '),
    ('>=', ' ge '),
    ('==', ' eq '),
    ('!=', ' ne '),
    ('<', ' lt '),
    ('>', ' gt '),
    ('+', ' plus '),
    ('-', ' minus '),
    ('*', ' times '),
    ('/', ' div '),
    ('%', ' mod '),
]
_DUNDER_CALLS = {
    '__repr__': 'repr',
    '__str__': 'str',
    '__len__': 'len',
    '__bool__': 'bool',
    '__bytes__': 'bytes',
    '__int__': 'int',
    '__float__': 'float',
    '__abs__': 'abs',
    '__hash__': 'hash',
}


def snake(name: str) -> str:
    s = re.sub(r'(?<=[a-z0-9])([A-Z])', r'_\1', name)
    s = re.sub(r'([A-Z]+)([A-Z][a-z])', r'\1_\2', s)
    return re.sub(r'_+', '_', s.lower()).strip('_') or 'x'


def slug(text: str, limit: int = 40, ops: bool = True) -> str:
    s = text
    for op, word in _OPS if ops else []:
        s = s.replace(op, word)
    s = re.sub(r'[^0-9A-Za-z]+', '_', s).strip('_').lower()
    s = re.sub(r'_+', '_', s)
    if len(s) > limit:
        s = s[:limit].rsplit('_', 1)[0]
    return s


def _result_words(src: str) -> str:
    if src in ('None', 'True', 'False'):
        return src.lower()
    if src in ('[]', '()', '{}', "''", '""', 'set()', "b''"):
        return 'empty'
    if len(src) <= 16:
        s = slug(src, 20, ops=False)
        if s:
            return s if not s[0].isdigit() or len(s) < 12 else ''
        return ''
    return ''


def _kind_word(src: str) -> str:
    if src.startswith('['):
        return 'list'
    if src.startswith('('):
        return 'tuple'
    if src.startswith('{'):
        return 'dict' if ':' in src else 'set'
    if src.startswith(("'", '"')):
        return 'text'
    if src.startswith(("b'", 'b"')):
        return 'bytes'
    if re.match(r'^-?\d+$', src):
        return 'int'
    if re.match(r'^-?[\d.e+-]+$', src):
        return 'float'
    m = re.match(r'^([A-Za-z_][A-Za-z0-9_]*)[.(]', src)
    return snake(m.group(1)) if m else 'value'


def _exit_line(case: dict[str, Any], span: tuple[int, int]) -> int | None:
    start, end = span
    exits = [a for a, b in case.get('arcs', []) if b < 0 and a > 0 and start <= a <= end]
    return max(exits) if exits else None


def test_name(target: dict[str, Any], case: dict[str, Any]) -> str:
    """`test_<function>_<behaviour>[_when_<guard>]` from the outcome and the branch that led to it."""
    qual = target['qualname'].split('.')
    func = qual[-1]
    base = snake(func.strip('_')) if not func.startswith('__') else snake(func.strip('_'))
    if len(qual) > 1:
        base = f'{snake(qual[-2])}_{base}'
    o = case['outcome']
    guards: dict[str, str] = target.get('guards', {})
    span = (target['startLine'], target['endLine'])
    when = ''
    if o['kind'] == 'raise':
        what = f'raises_{snake(o["excType"])}'
        line = o.get('line')
        guard = guards.get(str(line), '') if line is not None else ''
        if guard and not guard.startswith('on '):
            when = slug(guard)
        elif o.get('message'):
            words = slug(' '.join(re.findall(r'[A-Za-z]+', o['message'])[:4]), 30)
            if words:
                what += f'_for_{words}'
    elif o['kind'] == 'state':
        attrs = [a for a, _, _ in o.get('state', [])][:2]
        what = 'sets_' + '_and_'.join(snake(a) for a in attrs) if attrs else 'builds'
    elif o['kind'] == 'instance':
        what = f'returns_{snake(o["cls"])}'
    else:
        words = _result_words(o['src'])
        what = f'returns_{words}' if words else f'returns_{_kind_word(o["src"])}'
        if o['src'] == 'None' and o.get('state'):
            what = 'updates_' + snake(o['state'][0][0])
        line = _exit_line(case, span)
        if line is not None and str(line) in guards:
            when = slug(guards[str(line)])
    name = f'test_{base}_{what}'
    if when:
        name += f'_when_{when}'
    name = re.sub(r'_+', '_', name)
    if keyword.iskeyword(name):
        name += '_'
    return name[:90].rstrip('_')


def _args_src(items: list[list[Any]]) -> str:
    return ', '.join(s if k == 'pos' else f'{n}={s}' for n, k, s, _ in items)


def _imports_of(items: list[list[Any]]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for _, _, _, imps in items:
        out.extend((m, n) for m, n in imps)
    return out


def render_case(target: dict[str, Any], case: dict[str, Any], name: str) -> tuple[str, list[tuple[str, str]], set[str]]:
    """(test source, imports, stdlib modules) for one case."""
    kind = target['kind']
    qual = target['qualname'].split('.')
    attr = qual[-1]
    imports = _imports_of(case['args']) + _imports_of(case.get('ctor', []))
    mods: set[str] = set()
    o = case['outcome']
    imports.extend((m, n) for m, n in o.get('imports', []))
    args = _args_src(case['args'])
    setup: list[str] = []
    if kind == 'function':
        imports.append((target['module'], attr))
        call = f'{attr}({args})'
    else:
        cls = qual[-2]
        imports.append((target['module'], qual[0]))
        cls_ref = '.'.join(qual[:-1])
        if kind == 'init':
            call = f'{cls_ref}({args})'
        elif kind == 'method':
            ctor = f'{cls_ref}({_args_src(case.get("ctor", []))})'
            needs_obj = bool(o.get('state')) or len(ctor) > 30 or o['kind'] == 'raise'
            obj = 'obj' if needs_obj else ctor
            if needs_obj:
                setup.append(f'obj = {ctor}')
            if attr in _DUNDER_CALLS and not args:
                call = f'{_DUNDER_CALLS[attr]}({obj})'
            else:
                call = f'{obj}.{attr}({args})'
        else:
            call = f'{cls_ref}.{attr}({args})'
        del cls
    if target.get('generator'):
        call = f'list({call})'
    body: list[str] = list(setup)
    if o['kind'] == 'raise':
        mods.add('pytest')
        match = ''
        if o.get('message'):
            mods.add('re')
            match = f', match=re.escape({o["message"]!r})'
        body.append(f'with pytest.raises({o["exc"]}{match}):')
        body.append(f'    {call}')
    elif o['kind'] == 'state':
        body.append(f'obj = {call}')
        for attr_name, src, imps in o['state']:
            imports.extend((m, n) for m, n in json.loads(imps))
            body.append(_assert_eq(f'obj.{attr_name}', src))
    elif o['kind'] == 'instance':
        body.append(f'assert isinstance({call}, {o["cls"]})')
    else:
        body.append(_assert_eq(call, o['src']))
        if o['src'] == 'None' and o.get('state') and setup:
            for attr_name, src, imps in o['state']:
                imports.extend((m, n) for m, n in json.loads(imps))
                body.append(_assert_eq(f'obj.{attr_name}', src))
    text = f'def {name}():\n' + ''.join(f'    {line}\n' for line in body)
    return text, imports, mods


def _assert_eq(expr: str, src: str) -> str:
    if src in ('None', 'True', 'False'):
        return f'assert {expr} is {src}'
    return f'assert {expr} == {src}'


def render_module(module: str, targets: list[tuple[dict[str, Any], list[dict[str, Any]]]]) -> tuple[str, list[str]]:
    """(file content, test names) for one module's chosen cases."""
    tests: list[str] = []
    names: list[str] = []
    imports: set[tuple[str, str]] = set()
    mods: set[str] = set()
    used: set[str] = set()
    for target, cases in targets:
        for case in cases:
            name = test_name(target, case)
            unique, n = name, 2
            while unique in used:
                unique = f'{name}_{n}'
                n += 1
            used.add(unique)
            src, imps, ms = render_case(target, case, unique)
            tests.append(src)
            names.append(unique)
            imports.update(imps)
            mods |= ms
    qualnames = ', '.join(t['qualname'] for t, cases in targets if cases)
    header = [
        f'"""Characterization tests for {module}, written by Testgate\'s built-in generator.',
        '',
        'They pin the current behaviour of the functions this pull request changed:',
        f'{qualnames}.',
        'Inputs were explored with Hypothesis and kept when they repeated exactly and reached',
        'changed lines or branches. Edit or delete them like any other test.',
        '"""',
    ]
    lines = header
    std = sorted(m for m in mods if m == 're')
    third = sorted(m for m in mods if m == 'pytest')
    if std:
        lines += [''] + [f'import {m}' for m in std]
    if third:
        lines += [''] + [f'import {m}' for m in third]
    by_module: dict[str, set[str]] = {}
    for m, n in imports:
        by_module.setdefault(m, set()).add(n)
    if by_module:
        lines.append('')
        for m in sorted(by_module, key=lambda x: (x == module, x)):
            lines.append(_from_import(m, sorted(by_module[m])))
    content = '\n'.join(lines) + '\n\n\n' + '\n\n'.join(tests)
    return content, names


def _from_import(module: str, names: list[str]) -> str:
    line = f'from {module} import {", ".join(names)}'
    if len(line) <= 100:
        return line
    return f'from {module} import (\n' + ''.join(f'    {n},\n' for n in names) + ')'
