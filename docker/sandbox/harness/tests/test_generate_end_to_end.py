"""tg_generate.generate on small trees, in-process (the explorer runs as a real child)."""

import ast
import subprocess
import sys

import tg_generate
from conftest import write_tree

CALC_BASE = {'calc/__init__.py': '', 'calc/parse.py': 'def parse_amount(text):\n    return float(text)\n'}
CALC_HEAD = {
    'calc/__init__.py': '',
    'calc/parse.py': '''
        import time


        def parse_amount(text: str) -> float:
            cleaned = text.strip().replace(",", "")
            if not cleaned:
                raise ValueError("empty amount")
            try:
                value = float(cleaned)
            except ValueError:
                raise ValueError(f"not a number: {text!r}") from None
            if value < 0:
                raise ValueError(f"negative amount: {text!r}")
            return round(value, 2)


        def stamp(text):
            return f"{time.time()}: {text}"


        _calls = []


        def counter(x: int) -> int:
            _calls.append(x)
            return len(_calls)


        def dial(host: str) -> str:
            import socket
            return socket.gethostbyname(host)
    ''',
}


def run(tmp_path, base, head, seconds=6):
    write_tree(tmp_path / 'base', base)
    write_tree(tmp_path / 'head', head)
    progress = []
    report = tg_generate.generate(
        str(tmp_path),
        {'settings': {'generateSeconds': seconds, 'maxTestsPerFunction': 6}},
        lambda *a, **k: progress.append(a),
    )
    assert report['mode'] == 'generate' and report['protocol'] == 1
    assert progress
    return report


def pytest_passes(root, path):
    proc = subprocess.run(
        [sys.executable, '-m', 'pytest', '-q', '-p', 'no:cacheprovider', path],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return proc.returncode, proc.stdout[-3000:]


def test_flat_package_gets_error_path_tests_and_hazards_are_skipped(tmp_path):
    report = run(tmp_path, CALC_BASE, CALC_HEAD)
    assert [t['path'] for t in report['tests']] == ['tests/test_testgate_parse.py']
    content = report['tests'][0]['content']
    ast.parse(content)
    assert 'from calc.parse import parse_amount' in content
    # All three changed raises are reached.
    for message in ('empty amount', 'not a number', 'negative amount'):
        assert message in content
    skipped = {s['qualname']: s['reason'] for s in report['skipped']}
    assert 'clock' in skipped['stamp']
    assert 'differ between two runs' in skipped['counter']
    assert 'socket' in skipped['dial'] or 'network' in skipped['dial']
    # The emitted file passes against the head tree.
    test_path = tmp_path / 'head' / report['tests'][0]['path']
    test_path.parent.mkdir(exist_ok=True)
    test_path.write_text(content)
    code, out = pytest_passes(tmp_path / 'head', report['tests'][0]['path'])
    assert code == 0, out


def test_src_layout_imports_the_package_name(tmp_path):
    head = {
        'pyproject.toml': '[project]\nname = "geo"\nversion = "0"\n[tool.setuptools.packages.find]\nwhere = ["src"]\n',
        'src/geo/__init__.py': '',
        'src/geo/shapes.py': '''
            class Square:
                def __init__(self, side: int = 1):
                    self.side = side

                def area(self) -> int:
                    if self.side < 0:
                        raise ValueError("negative side")
                    return self.side * self.side
        ''',
    }
    report = run(tmp_path, {}, head, seconds=4)
    assert report['project']['layout'] == 'src'
    content = report['tests'][0]['content']
    assert 'from geo.shapes import Square' in content
    assert 'negative side' in content
    assert 'Square.area' in report['tests'][0]['targets']


def test_unimportable_module_is_reported_not_raised(tmp_path):
    head = {'broken.py': 'import does_not_exist\n\ndef f(x):\n    return x\n'}
    report = run(tmp_path, {}, head, seconds=2)
    assert report['tests'] == []
    assert report['project']['importable'] is False
    assert 'does_not_exist' in report['project']['importError']
    assert 'does not import' in report['skipped'][0]['reason']
