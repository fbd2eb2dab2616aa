"""Generated cases that would pin a bug: the observed exception contradicts the contract."""

import ast
import textwrap

from tg_generate.contradictions import contradiction, split_cases


def _fn(src, name):
    tree = ast.parse(textwrap.dedent(src))
    fn = next(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == name)
    return tree, fn


def _raise(exc, *args):
    return {'args': [list(a) for a in args], 'outcome': {'kind': 'raise', 'excType': exc, 'exc': exc, 'message': ''}}


def test_docstring_example_contradicts_a_raise():
    tree, fn = _fn(
        '''
        def half(x):
            """Half of x.

            >>> half(0)
            0
            """
            return 10 // x * 0 + x // 2
    ''',
        'half',
    )
    why = contradiction(tree, fn, False, _raise('ZeroDivisionError', ('x', 'pos', '0')))
    assert why == 'half(0) raises ZeroDivisionError, but its docstring shows it returning 0'
    # Another input is not what the example shows.
    assert contradiction(tree, fn, False, _raise('ZeroDivisionError', ('x', 'pos', '5'))) is None


def test_type_error_on_arguments_that_match_the_hints():
    tree, fn = _fn(
        '''
        def label(name: str, count: int | None = None) -> str:
            return name + count
    ''',
        'label',
    )
    why = contradiction(tree, fn, False, _raise('TypeError', ('name', 'pos', "'a'"), ('count', 'pos', '2')))
    assert why.startswith("label('a', 2) raises TypeError, although every argument matches its type hint")
    # A deliberate ValueError is the function's own choice, not a contradiction.
    assert contradiction(tree, fn, False, _raise('ValueError', ('name', 'pos', "'a'"), ('count', 'pos', '2'))) is None
    # True is not what an `int` hint means.
    assert contradiction(tree, fn, False, _raise('TypeError', ('name', 'pos', "'a'"), ('count', 'pos', 'True'))) is None


def test_a_valid_value_equal_to_the_default_sentinel():
    tree, fn = _fn(
        '''
        _UNSET = -1

        class Account:
            def withdraw(self, amount: int = _UNSET):
                if amount == _UNSET:
                    raise ValueError("amount is required")
                return amount
    ''',
        'withdraw',
    )
    case = _raise('ValueError', ('amount', 'pos', '-1'))
    why = contradiction(tree, fn, True, case)
    assert 'amount=-1 is a valid int that equals the default sentinel _UNSET' in why
    kept, bugs = split_cases(tree, fn, True, [case, _raise('ValueError', ('amount', 'pos', '-2'))])
    assert [c['args'][0][2] for c in kept] == ['-2'] and len(bugs) == 1


def test_returns_are_never_suspected():
    tree, fn = _fn('def f(x: int):\n    return x\n', 'f')
    assert (
        contradiction(tree, fn, False, {'args': [['x', 'pos', '1']], 'outcome': {'kind': 'return', 'src': '1'}}) is None
    )
