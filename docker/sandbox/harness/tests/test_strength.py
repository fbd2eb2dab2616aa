"""tg_strength: labels, the base-code tree, and the strength step on a real evaluation."""

import os

import tg_evaluate
import tg_naming
import tg_strength
from conftest import write_tree


def runs(*outcomes):
    return [{'outcome': o} for o in outcomes]


def test_labels():
    label = tg_strength.label_of
    assert label(runs('passed', 'passed'), {'outcome': 'error'}) == 'fails-before'
    assert label(runs('passed'), {'outcome': 'failed'}) == 'fails-before'
    assert label(runs('passed'), {'outcome': 'passed'}) == 'passes-before'
    assert label(runs('failed', 'failed'), {'outcome': 'passed'}) == 'regression'
    assert label(runs('error'), {'outcome': 'failed'}) == 'fails-both'
    assert label(runs('passed', 'failed'), {'outcome': 'passed'}) is None  # flaky: nothing to compare
    assert label(runs('passed'), {'outcome': 'skipped'}) is None
    assert label(runs('passed'), None) is None


def test_the_base_code_tree_has_the_heads_tests_over_the_base_code(tmp_path):
    base = write_tree(tmp_path / 'base', {'pkg/core.py': 'X = 1\n', 'tests/test_old.py': 'old\n', 'conftest.py': 'a\n'})
    head = write_tree(tmp_path / 'head', {'pkg/core.py': 'X = 2\n', 'tests/test_new.py': 'new\n', 'conftest.py': 'b\n'})
    (head / 'tests' / 'test_generated.py').write_text('gen\n')
    dst = tmp_path / 'basecode'
    naming = tg_naming.load(str(head), globs=['tests/**/test_*.py'])
    tg_strength.build_base_code_tree(str(base), str(head), str(dst), naming, ['tests/test_generated.py'])
    files = {os.path.relpath(os.path.join(d, n), dst) for d, _, ns in os.walk(dst) for n in ns}
    assert files == {'pkg/core.py', 'tests/test_new.py', 'tests/test_generated.py', 'conftest.py'}
    assert (dst / 'pkg' / 'core.py').read_text() == 'X = 1\n'
    assert (dst / 'conftest.py').read_text() == 'b\n'


CLAMP_BASE = '''
def clamp(value, low, high):
    if value < low:
        return low
    return value
'''
CLAMP_HEAD = '''
def clamp(value, low, high):
    if value < low:
        return low
    if value > high:
        return high
    return value


def double(x):
    return x * 2
'''
TESTS = '''
import pytest

from calc import ops
from calc.ops import clamp


def test_new_function():
    assert ops.double(2) == 4


def test_strong():
    assert clamp(15, 0, 10) == 10
    assert clamp(5, 0, 10) == 5


def test_weak():
    assert isinstance(clamp(15, 0, 10), object)


def test_crash_only():
    with pytest.raises(Exception):
        clamp(15, 0, 10) + "x"
'''


def evaluate(tmp_path_factory, settings=None, tests=TESTS, test_file='tests/test_ops.py'):
    # Not under tmp_path: its test_* directory name would match coverage's omit patterns.
    tmp_path = tmp_path_factory.mktemp('strength')
    write_tree(tmp_path / 'base', {'calc/__init__.py': '', 'calc/ops.py': CLAMP_BASE})
    write_tree(tmp_path / 'head', {'calc/__init__.py': '', 'calc/ops.py': CLAMP_HEAD, test_file: tests})
    (tmp_path / 'candidates').mkdir()
    request = {
        'protocol': 1,
        'mode': 'evaluate',
        'settings': {
            'reruns': 1,
            'cpuSecondsPerTest': 2,
            'wallSecondsPerTest': 10,
            'slowMs': 500,
            'deadlineMs': 300000,
            'testGlobs': ['tests/**/test_*.py'],
            'includePrTests': True,
            **(settings or {}),
        },
        'candidates': [],
    }
    report = tg_evaluate.evaluate(str(tmp_path), request, lambda *a, **k: None)
    return report, {t['function']: t for t in report['tests']}


def test_a_strong_test_kills_at_a_check_and_a_weak_one_kills_nothing(tmp_path_factory):
    report, tests = evaluate(tmp_path_factory)
    strong, weak, crash = tests['test_strong'], tests['test_weak'], tests['test_crash_only']
    # The new behaviour does not exist on the base: the assert fails there.
    assert strong['label'] == 'fails-before' and strong['before'] == {
        'outcome': 'failed',
        'failedAt': 'check',
        'message': strong['before']['message'],
    }
    assert weak['label'] == 'passes-before' and crash['label'] == 'passes-before'
    # A test of a function the base does not have fails there for a missing name, not at a check.
    new = tests['test_new_function']
    assert new['label'] == 'fails-before' and new['before']['failedAt'] == 'missing'
    assert new['strength']['killed'] >= 1
    assert strong['strength']['killed'] >= 2
    assert weak['strength']['mutants'] >= 3 and weak['strength']['killed'] == 0
    assert crash['strength']['killed'] == 0
    mutation = report['mutation']
    survivors = {(m['line'], m['original'], m['replacement']) for m in mutation['mutants'] if m['status'] == 'survived'}
    killed = {(m['line'], m['original'], m['replacement']) for m in mutation['mutants'] if m['status'] == 'killed'}
    assert (4, 'value > high', 'True') in killed and (4, 'value > high', 'False') in killed
    # clamp(10) is 10 either way: no test tells `>` from `>=` apart.
    assert (4, '>', '>=') in survivors
    clamp_killers = {tuple(m['killedBy']) for m in mutation['mutants'] if m['status'] == 'killed' and m['line'] < 7}
    assert clamp_killers == {('tests/test_ops.py::test_strong',)}
    assert mutation['runs'] > 0 and mutation['budgetSpent'] is False


def test_the_caps_and_the_budget_are_honoured(tmp_path_factory):
    report, tests = evaluate(tmp_path_factory, {'mutation': {'maxMutants': 2, 'maxPerLine': 1}})
    assert [m['line'] for m in report['mutation']['mutants']] == [4, 5]  # the first two changed lines
    assert report['mutation']['capped'] is True
    report, tests = evaluate(tmp_path_factory, {'mutation': {'seconds': 0}})
    assert {m['status'] for m in report['mutation']['mutants']} == {'not-run'}
    assert report['mutation']['budgetSpent'] is True
    assert all('strength' not in t for t in tests.values())


def test_strength_off_leaves_no_trace(tmp_path_factory):
    report, tests = evaluate(tmp_path_factory, {'baseRuns': False, 'mutation': {'enabled': False}})
    assert 'mutation' not in report
    assert all('label' not in t and 'strength' not in t and 'before' not in t for t in tests.values())


def test_a_test_file_that_does_not_import_over_the_base_code_fails_there_as_missing(tmp_path_factory):
    tests = 'from calc.ops import clamp, double\n' + ''.join(
        '\n\ndef test_double_%d():\n    assert double(%d) == %d\n' % (n, n, 2 * n) for n in range(4)
    )
    report, _ = evaluate(tmp_path_factory, tests=tests, test_file='tests/test_new.py')
    assert len(report['tests']) == 4
    for t in report['tests']:
        assert t['label'] == 'fails-before'
        assert t['before']['outcome'] == 'error' and t['before']['failedAt'] == 'missing'
        assert 'double' in t['before']['message']


def test_the_request_carries_the_strength_settings_and_refuses_bad_ones():
    import json

    import pytest
    import tg_protocol

    def parse(settings):
        raw = json.dumps({'protocol': 1, 'mode': 'evaluate', 'nonce': 'a' * 32, 'settings': settings})
        return tg_protocol.parse_request(raw.encode())['settings']

    assert parse({})['baseRuns'] is True and parse({})['mutation'] == tg_protocol.DEFAULT_MUTATION
    got = parse({'baseRuns': False, 'mutation': {'enabled': False, 'maxMutants': 5}})
    assert got['baseRuns'] is False
    assert got['mutation'] == {'enabled': False, 'maxMutants': 5, 'maxPerLine': 3, 'seconds': 60}
    with pytest.raises(tg_protocol.ProtocolError, match='mutation.maxPerLine'):
        parse({'mutation': {'maxPerLine': 0}})
    with pytest.raises(tg_protocol.ProtocolError, match='baseRuns'):
        parse({'baseRuns': 'no'})


def test_a_base_tree_the_head_cannot_sit_on_means_no_labels_not_a_failed_harness(tmp_path_factory):
    # The base has a file `tests`, the head a directory of tests there: no base-code tree.
    tmp_path = tmp_path_factory.mktemp('strength')
    write_tree(tmp_path / 'base', {'calc/__init__.py': '', 'calc/ops.py': CLAMP_BASE, 'tests': 'not a dir\n'})
    write_tree(tmp_path / 'head', {'calc/__init__.py': '', 'calc/ops.py': CLAMP_HEAD, 'tests/test_ops.py': TESTS})
    (tmp_path / 'candidates').mkdir()
    request = {
        'protocol': 1,
        'mode': 'evaluate',
        'settings': {
            'reruns': 1,
            'cpuSecondsPerTest': 2,
            'wallSecondsPerTest': 10,
            'slowMs': 500,
            'deadlineMs': 300000,
            'testGlobs': ['tests/**/test_*.py'],
            'includePrTests': True,
        },
        'candidates': [],
    }
    report = tg_evaluate.evaluate(str(tmp_path), request, lambda *a, **k: None)
    tests = {t['function']: t for t in report['tests']}
    assert all('label' not in t for t in tests.values())
    assert tests['test_weak']['strength']['killed'] == 0  # mutants still ran
    assert tests['test_strong']['strength']['killed'] >= 1


def test_code_nested_too_deep_to_copy_gets_no_mutants_and_no_crash(tmp_path):
    import tg_mutate

    path = tmp_path / 'deep.py'
    path.write_text('def f(x):\n    return ' + '(' * 150 + 'x' + ' + 1)' * 150 + '\n')
    made = tg_mutate.mutants(str(path), 'deep.py', [2], 3, 10)
    assert isinstance(made['mutants'], list)
