"""Unit tests of the built-in generator (tg_generate): static facts, strategies, literals,
greedy choice and emission. Runnable in the image and with Debian's python3-hypothesis."""

import ast
import dataclasses
import enum
import textwrap
import types

import pytest
from hypothesis import given, settings

from tg_generate import choose, emit, literals, static, strategies


def parse_fn(src, name):
    tree = ast.parse(textwrap.dedent(src))
    fn, _ = static.find_function(tree, name)
    return tree, fn


# -- static: constants the branches test --------------------------------------------------


def test_extract_literals_ties_compared_constants_to_their_parameter():
    _, fn = parse_fn(
        '''
        def f(amount, mode, s, d, items):
            if amount < 0:
                raise ValueError("negative")
            if mode in ("fast", "slow"):
                pass
            if s.startswith("0x"):
                pass
            if d["key"] and len(items) == 3:
                pass
            if mode == LIMIT:
                pass
    ''',
        'f',
    )
    lits = static.extract_literals(fn)
    assert {-1, 0, 1} <= set(lits['params']['amount'])
    assert 'fast' in lits['params']['mode'] and 'slow' in lits['params']['mode']
    assert {'global': 'LIMIT'} in lits['params']['mode']
    assert lits['substrings']['s'] == ['0x']
    assert lits['keys']['d'] == ['key']
    assert {2, 3, 4} <= set(lits['lengths']['items'])
    assert 'negative' in lits['all']
    assert 'LIMIT' in lits['globals']


def test_hazards_flag_clock_randomness_and_io_also_through_a_helper():
    tree = ast.parse(
        textwrap.dedent('''
        import time, random
        def stamp(x):
            return time.time()
        def helper():
            return random.random()
        def uses_helper(x):
            return helper() + x
        def reads(path):
            with open(path) as fh:
                return fh.read()
        def pure(x):
            return x + 1
    ''')
    )

    def hazard(name):
        return static.hazards(tree, static.find_function(tree, name)[0])

    assert 'clock' in hazard('stamp')
    assert 'randomness' in hazard('uses_helper')
    assert 'file I/O' in hazard('reads')
    assert hazard('pure') is None


def test_describe_target_reads_kind_doctests_and_guards():
    tree = ast.parse(
        textwrap.dedent('''
        class Cart:
            def __init__(self, owner):
                self.owner = owner
            @staticmethod
            def norm(x):
                """>>> Cart.norm(3)
                3
                """
                if x < 0:
                    raise ValueError("neg")
                return x
            @property
            def size(self):
                return 1
        async def fetch(x):
            return x
    ''')
    )
    norm = static.describe_target(tree, 'Cart.norm')
    assert norm['kind'] == 'staticmethod'
    assert norm['doctests'] == [{'args': ['3'], 'kwargs': {}}]
    raise_line = norm['raiseLines'][0]
    assert norm['guards'][str(raise_line)] == 'x < 0'
    assert static.describe_target(tree, 'Cart.size')['kind'] == 'property'
    assert static.describe_target(tree, 'fetch')['kind'] == 'async'
    assert static.describe_target(tree, 'missing') is None


# -- strategies ------------------------------------------------------------------------------


def _strategy_for(src, name, module=None):
    tree, fn_node = parse_fn(src, name)
    ns = {}
    exec(compile(textwrap.dedent(src), '<t>', 'exec'), ns)  # noqa: S102 - test fixture code
    fn = ns[name]
    lits = static.extract_literals(fn_node)
    mod = module or types.SimpleNamespace(**ns)
    lits['_pool'] = strategies.resolve_consts(lits['all'], mod, None)
    strat, params, reason = strategies.signature_strategy(fn, lits, mod, None, skip_first=False)
    return strat, params, reason


def _draws(strat, n=300):
    seen = []

    @settings(max_examples=n, database=None, derandomize=True)
    @given(strat)
    def collect(v):
        seen.append(v)

    collect()
    return seen


def test_strategy_reaches_constant_guarded_branch_and_uses_defaults():
    strat, params, reason = _strategy_for(
        '''
        def f(code: str, count=3):
            if code == "SAVE10":
                return count
            return 0
    ''',
        'f',
    )
    assert reason is None and [p.name for p in params] == ['code', 'count']
    draws = _draws(strat)
    assert any(d['code'] == 'SAVE10' for d in draws)
    assert any(d['count'] is strategies.OMIT for d in draws)
    assert all(isinstance(d['code'], str) for d in draws)


def test_strategy_from_parameter_names_without_hints():
    strat, _, _ = _strategy_for(
        '''
        def f(name, n, items, strict):
            return None
    ''',
        'f',
    )
    draws = _draws(strat, 200)
    assert all(isinstance(d['name'], str) for d in draws)
    assert all(isinstance(d['n'], int) for d in draws)
    assert all(isinstance(d['items'], list) for d in draws)
    assert all(isinstance(d['strict'], bool) for d in draws)


def test_strategy_resolves_module_constants_in_membership_tests():
    mod = types.SimpleNamespace(VALID={'alpha', 'beta'})
    strat, _, _ = _strategy_for(
        '''
        def f(word):
            if word in VALID:
                return 1
            return 0
    ''',
        'f',
        module=mod,
    )
    draws = _draws(strat)
    assert {'alpha', 'beta'} <= {d['word'] for d in draws}


def test_callable_parameter_without_default_cannot_be_generated():
    strat, _, reason = _strategy_for(
        '''
        def apply(callback, x):
            return callback(x)
    ''',
        'apply',
    )
    assert strat is None and 'callback' in reason


# -- literals --------------------------------------------------------------------------------


class Color(enum.Enum):
    RED = 1


@dataclasses.dataclass
class Point:
    x: int
    y: int = 0


def test_checked_source_rebuilds_literals_enums_and_dataclasses():
    ns = {'Color': Color, 'Point': Point}
    assert literals.checked_source([1, 'a', (2,), {3}, {'k': None}], 'geo', ns) == (
        "[1, 'a', (2,), {3}, {'k': None}]",
        [],
    )
    assert literals.checked_source(Color.RED, 'geo', ns) == ('Color.RED', [('geo', 'Color')])
    assert literals.checked_source(Point(1, 2), 'geo', ns) == ('Point(x=1, y=2)', [('geo', 'Point')])
    from decimal import Decimal

    assert literals.checked_source(Decimal('1.5'), 'geo', ns) == ("Decimal('1.5')", [('decimal', 'Decimal')])


@pytest.mark.parametrize('value', [float('nan'), float('inf'), object(), lambda: 1, [object()]])
def test_checked_source_refuses_values_without_a_literal_form(value):
    with pytest.raises(literals.Opaque):
        literals.checked_source(value, 'geo', {})


# -- greedy choice ---------------------------------------------------------------------------


def case(arcs, kind='return', line=None):
    outcome = {'kind': kind}
    if kind == 'raise':
        outcome.update(exc='ValueError', excType='ValueError', message='bad', line=line)
    else:
        outcome['src'] = '1'
    return {'args': [], 'arcs': [list(a) for a in arcs], 'outcome': outcome}


def test_choose_takes_every_changed_raise_then_covers_new_changed_lines():
    a = case([(-1, 2), (2, 3), (3, -1)])
    b = case([(-1, 2), (2, 3), (3, -1)])  # same path: adds nothing
    c = case([(-1, 2), (2, 5), (5, -1)])
    err = case([(-1, 2), (2, 7), (7, -1)], kind='raise', line=7)
    picked = choose.choose([a, b, c, err], changed={2, 3, 5, 7}, raise_lines={7}, span=(1, 8), limit=6)
    assert picked[0] is err
    assert {id(p) for p in picked} == {id(a), id(c), id(err)}


def test_choose_respects_the_limit():
    cases = [case([(-1, i), (i, -1)]) for i in range(2, 12)]
    assert len(choose.choose(cases, changed=set(range(2, 12)), raise_lines=set(), span=(1, 12), limit=3)) == 3
    assert choose.choose(cases, changed=set(), raise_lines=set(), span=(1, 12), limit=0) == []


# -- emission ----------------------------------------------------------------------------------


def target(**kw):
    base = {
        'qualname': 'parse_amount',
        'kind': 'function',
        'module': 'calc.parse',
        'startLine': 1,
        'endLine': 10,
        'guards': {'4': 'value < 0'},
        'generator': False,
    }
    base.update(kw)
    return base


def test_emitted_module_is_readable_pytest_that_runs(tmp_path):
    raise_case = {
        'args': [['text', 'pos', "'-1'", []]],
        'arcs': [[-1, 2], [2, 4]],
        'outcome': {
            'kind': 'raise',
            'exc': 'ValueError',
            'excType': 'ValueError',
            'message': "negative amount: '-1' (x)",
            'line': 4,
            'imports': [],
        },
    }
    ok_case = {
        'args': [['text', 'pos', "'2'", []]],
        'arcs': [[-1, 2], [2, 6], [6, -1]],
        'outcome': {'kind': 'return', 'src': '2.0', 'imports': [], 'state': []},
    }
    content, names = emit.render_module('calc.parse', [(target(), [raise_case, ok_case])])
    assert names == ['test_parse_amount_raises_value_error_when_value_lt_0', 'test_parse_amount_returns_2_0']
    assert 'from calc.parse import parse_amount' in content
    assert (
        "with pytest.raises(ValueError, match=re.escape(\"negative amount: '-1' (x)\")):" in content
        or "with pytest.raises(ValueError, match=re.escape('negative amount: \\'-1\\' (x)')):" in content
        or 'match=re.escape(' in content
    )
    assert "assert parse_amount('2') == 2.0" in content
    pkg = tmp_path / 'calc'
    pkg.mkdir()
    (pkg / '__init__.py').write_text('')
    (pkg / 'parse.py').write_text(
        textwrap.dedent('''
        def parse_amount(text):
            value = float(text)
            if value < 0:
                raise ValueError(f"negative amount: {text!r} (x)")
            return value
    ''')
    )
    test_file = tmp_path / 'test_gen.py'
    test_file.write_text(content)
    assert pytest.main(['-q', '-p', 'no:cacheprovider', '--rootdir', str(tmp_path), str(test_file)]) == 0


def test_method_cases_build_the_instance_outside_the_raises_block():
    t = target(qualname='Cart.add', kind='method', module='shop.cart', guards={})
    c = {
        'args': [['qty', 'pos', '0', []]],
        'ctor': [['owner', 'pos', "'ann'", []]],
        'arcs': [],
        'outcome': {
            'kind': 'raise',
            'exc': 'ValueError',
            'excType': 'ValueError',
            'message': 'qty must be positive',
            'line': 3,
            'imports': [],
        },
    }
    src, imports, _ = emit.render_case(t, c, 'test_x')
    assert src.splitlines()[1].strip() == "obj = Cart('ann')"
    assert src.splitlines()[3].strip() == 'obj.add(0)'
    assert ('shop.cart', 'Cart') in imports


def test_names_are_unique_and_identifiers():
    c = {'args': [], 'arcs': [], 'outcome': {'kind': 'return', 'src': "'big-three'", 'imports': [], 'state': []}}
    content, names = emit.render_module('m', [(target(qualname='classify'), [c, dict(c)])])
    assert names == ['test_classify_returns_big_three', 'test_classify_returns_big_three_2']
    assert all(n.isidentifier() for n in names)
    compile(content, 'gen.py', 'exec')
