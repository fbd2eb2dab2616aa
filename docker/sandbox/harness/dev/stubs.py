"""TEMPORARY stand-ins for the analysis engineer's modules (tg_project, tg_diff, tg_select,
tg_rules, tg_bandit), used by tg_evaluate only while those files do not exist. Delete me."""
import ast
import difflib
import fnmatch
import os


def _is_test(rel):
    b = os.path.basename(rel)
    return b.startswith('test_') or b.endswith('_test.py') or b == 'conftest.py'


def detect_project(head):
    layout = 'src' if os.path.isdir(os.path.join(head, 'src')) else 'flat'
    root = os.path.join(head, 'src') if layout == 'src' else head
    pkgs = []
    for name in sorted(os.listdir(root)):
        p = os.path.join(root, name)
        if os.path.isdir(p) and os.path.exists(os.path.join(p, '__init__.py')) and name not in ('tests', 'test'):
            pkgs.append(name)
        elif name.endswith('.py') and not _is_test(name) and name not in ('setup.py',):
            pkgs.append(name[:-3])
    return {'layout': layout, 'packages': pkgs, 'import_roots': [root] if root == head else [root, head]}


def _py(root):
    out = {}
    for d, _, fs in os.walk(root):
        for f in fs:
            if f.endswith('.py'):
                p = os.path.join(d, f)
                out[os.path.relpath(p, root)] = p
    return out


def diff_trees(base, head):
    b, h = _py(base), _py(head)
    files, lines = [], {}
    for rel in sorted(set(b) | set(h)):
        if rel not in h:
            files.append({'path': rel, 'status': 'deleted', 'isTest': _is_test(rel)})
            continue
        new = open(h[rel]).read().splitlines()
        old = open(b[rel]).read().splitlines() if rel in b else []
        if rel in b and new == old:
            continue
        files.append({'path': rel, 'status': 'modified' if rel in b else 'added', 'isTest': _is_test(rel)})
        if _is_test(rel):
            continue
        changed = []
        for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new).get_opcodes():
            if tag in ('replace', 'insert'):
                changed.extend(range(j1 + 1, j2 + 1))
        if changed:
            lines[rel] = changed
    return files, lines


def changed_functions(head, changed_lines):
    out = []
    for rel, lines in changed_lines.items():
        tree = ast.parse(open(os.path.join(head, rel)).read())
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                ls = [l for l in lines if node.lineno <= l <= node.end_lineno]
                if not ls:
                    continue
                raises = sorted({n.lineno for n in ast.walk(node) if isinstance(n, ast.Raise) and n.lineno in ls})
                excepts = sorted({n.lineno for n in ast.walk(node) if isinstance(n, ast.ExceptHandler) and n.lineno in ls})
                out.append({'file': rel, 'qualname': node.name, 'startLine': node.lineno, 'endLine': node.end_lineno,
                            'changedLines': ls, 'raiseLines': raises, 'exceptLines': excepts})
    return out


def _funcs(path):
    src = open(path).read()
    tree = ast.parse(src)
    out = {}
    for node in tree.body:
        items = [(None, node)] if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) else []
        if isinstance(node, ast.ClassDef):
            items = [(node.name, n) for n in node.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
        for cls, fn in items:
            if fn.name.startswith('test'):
                start = min([fn.lineno] + [d.lineno for d in fn.decorator_list])
                out[(cls, fn.name)] = (start, fn.end_lineno, ast.get_source_segment(src, fn))
    return out


def select_pr_tests(base, head, changed_files, test_globs):
    out = []
    for cf in changed_files:
        if not cf['isTest'] or cf['status'] == 'deleted' or os.path.basename(cf['path']) == 'conftest.py':
            continue
        new = _funcs(os.path.join(head, cf['path']))
        bp = os.path.join(base, cf['path'])
        old = _funcs(bp) if os.path.exists(bp) else {}
        for (cls, name), (s, e, src) in new.items():
            if (cls, name) in old and old[(cls, name)][2] == src:
                continue
            out.append({'file': cf['path'], 'function': name, 'cls': cls, 'startLine': s, 'endLine': e,
                        'change': 'modified' if (cls, name) in old else 'added', 'newCases': None})
    return out


def scan_test_file(abs_path, rel_path):
    fns = {}
    for (cls, name), (s, e, src) in _funcs(abs_path).items():
        tree = ast.parse(src)
        asserts = sum(1 for n in ast.walk(tree) if isinstance(n, ast.Assert))
        trivial = sum(1 for n in ast.walk(tree) if isinstance(n, ast.Assert) and isinstance(n.test, ast.Constant))
        fns[f'{cls}.{name}' if cls else name] = {'startLine': s, 'endLine': e, 'findings': [], 'asserts': asserts,
                                                 'trivialAsserts': trivial}
    return {'functions': fns, 'module': []}


def scan_config_tampering(base, head, changed_files):
    return []


def run_bandit(paths, root):
    return [], 'stub', None
