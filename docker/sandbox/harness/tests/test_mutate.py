"""tg_mutate: which mutants the changed lines get, within the caps."""

import textwrap

import tg_mutate


def mutants_of(tmp_path, source, lines=None, max_per_line=10, max_total=1000):
    path = tmp_path / 'mod.py'
    path.write_text(textwrap.dedent(source).lstrip('\n'))
    count = len(path.read_text().splitlines())
    return tg_mutate.mutants(str(path), 'mod.py', lines or range(1, count + 1), max_per_line, max_total)


def described(made):
    return [(m['line'], m['operator'], m['original'], m['replacement']) for m in made['mutants']]


def test_each_operator_on_its_line(tmp_path):
    made = mutants_of(
        tmp_path,
        '''
        def price(total, member):
            if total >= 100 and member:
                return total - 10
            raise ValueError("no discount")
        ''',
    )
    got = described(made)
    assert (2, 'condition', 'total >= 100 and member', 'True') in got
    assert (2, 'condition', 'total >= 100 and member', 'False') in got
    assert (2, 'compare', '>=', '>') in got
    assert (2, 'boolean', 'and', 'or') in got
    assert (2, 'constant', '100', '101') in got
    assert (3, 'arithmetic', '-', '+') in got
    assert (3, 'constant', '10', '11') in got
    assert (3, 'return', 'return total - 10', 'return None') in got
    assert (4, 'raise', "raise ValueError('no discount')", 'pass') in got
    # `return None` changes no value a caller would compare: any caller "kills" it.
    assert [m['valueChanging'] for m in made['mutants'] if m['operator'] == 'return'] == [False]
    assert all(m['valueChanging'] for m in made['mutants'] if m['operator'] != 'return')


def test_arid_lines_get_none(tmp_path):
    made = mutants_of(
        tmp_path,
        '''
        import logging

        logger = logging.getLogger(__name__)


        def f(x):
            """Doubles x."""
            logger.debug("x=%s", x)
            print(x)
            pass
            return x + x
        ''',
    )
    assert {m['line'] for m in made['mutants']} == {11}
    assert made['aridLines'] == 4  # the docstring, the log call, the print and the pass
    assert made['changedLines'] == 5


def test_module_and_class_bodies_are_not_mutated(tmp_path):
    # They ran once at import: a mutant there could not be swapped into a live function.
    made = mutants_of(
        tmp_path,
        '''
        LIMIT = 10 + 1


        class Box:
            size = 3 * 2

            def fits(self, n):
                return n < LIMIT
        ''',
    )
    assert {m['line'] for m in made['mutants']} == {8}
    assert {m['qualname'] for m in made['mutants']} == {'Box.fits'}


def test_identity_operands_are_not_swapped(tmp_path):
    # x * 1 -> x // 1 keeps the value for ints: an equivalent mutant no test could kill.
    made = mutants_of(tmp_path, 'def f(x):\n    return x * 1 + 0\n')
    assert [d for d in described(made) if d[1] == 'arithmetic'] == []


def test_a_mutant_compiled_to_the_same_bytecode_is_dropped_as_equivalent(tmp_path):
    # `if True:` forced True is the same code.
    made = mutants_of(tmp_path, 'def f(x):\n    if True:\n        return x\n')
    assert (2, 'condition', 'True', 'True') not in described(made)
    assert made['equivalent'] == 1


def test_a_decorated_method_is_found_by_its_first_line(tmp_path):
    made = mutants_of(
        tmp_path,
        '''
        import functools


        class Fees:
            @staticmethod
            @functools.lru_cache
            def fee(amount):
                return amount * 2
        ''',
    )
    code = tg_mutate.load_code(made['mutants'][0]['code'])
    assert made['mutants'][0]['qualname'] == 'Fees.fee'
    assert made['mutants'][0]['firstLine'] == 5 == code.co_firstlineno
    assert code.co_qualname == 'Fees.fee'


def test_the_caps_keep_every_line_before_a_second_mutant_of_any(tmp_path):
    body = ''.join('    y = y + %d\n' % i for i in range(1, 301))
    made = mutants_of(tmp_path, 'def f(y):\n' + body + '    return y\n', max_per_line=3, max_total=50)
    assert len(made['mutants']) == 50
    assert len({m['line'] for m in made['mutants']}) == 50  # one per line first
    assert made['capped'] is True
    assert made['changedLines'] == 301
    few = mutants_of(tmp_path, 'def f(a, b):\n    return a < b and a + 1 > b - 2\n', max_per_line=2)
    assert len(few['mutants']) == 2
    assert len({m['operator'] for m in few['mutants']}) == 2  # different kinds under the cap


def test_a_file_that_does_not_parse_has_none(tmp_path):
    made = mutants_of(tmp_path, 'def f(:\n')
    assert made['mutants'] == [] and made['changedLines'] == 0
