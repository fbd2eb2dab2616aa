"""The built-in generator (harness `generate` mode): characterization tests without a model.

generate(workdir, request, progress) -> dict matching generationSchema
(packages/core/src/evidence.ts). For each changed function or method: derive input
strategies (strategies.py, static.py), explore them with Hypothesis in an rlimited child
under an audit hook (worker.py, forked from the explorers' fork server, which imported
Hypothesis and coverage once), keep cases that repeat exactly in a fresh process and can
be written as literals, pick a few that cover the most changed lines and branches
(choose.py), and write one readable pytest file per module (emit.py). The files then go
through the normal gate like any other candidate.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
from typing import Any, Callable

from . import choose, contradictions, emit, static

HARNESS_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORKER = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'worker.py')

Progress = Callable[..., None]

# Share of the budget for exploration; the rest covers the replay run, startup and emission.
EXPLORE_SHARE = 0.7
# Interpreter start plus importing Hypothesis and coverage in a worker, measured ~0.4 s.
WORKER_STARTUP_SECONDS = 1.0


def _settings(request: dict[str, Any]) -> dict[str, Any]:
    s = dict(request.get('settings') or {})
    return {
        'generateSeconds': float(s.get('generateSeconds', 20)),
        'maxTestsPerFunction': int(s.get('maxTestsPerFunction', 6)),
        'cpuSecondsPerTest': float(s.get('cpuSecondsPerTest', 2)),
    }


class _Explorers:
    """The explorers' fork server (worker.py --serve), started on first use: each run of the
    worker is forked from a process that imported Hypothesis and coverage once."""

    def __init__(self) -> None:
        self.server = None
        self.failed = False

    def get(self):
        import tg_child

        if self.server is None and not self.failed:
            try:
                self.server = tg_child.Zygote(
                    [sys.executable, '-I', WORKER, '--serve'],
                    {'LANG': 'C.UTF-8', 'PATH': os.environ.get('PATH', '/usr/bin:/bin')},
                )
            except OSError as e:
                print(
                    f'harness: the explorers\' fork server could not start ({e}); starting each fresh', file=sys.stderr
                )
                self.failed = True
        return self.server

    def broken(self, why: str) -> None:
        print(f'harness: the explorers\' fork server is unavailable ({why}); starting each fresh', file=sys.stderr)
        self.close()
        self.failed = True

    def close(self) -> None:
        if self.server is not None:
            self.server.close()
            self.server = None


_EXPLORERS = _Explorers()


def _run_worker(spec: dict[str, Any], wall: float, scratch: str) -> tuple[list[dict[str, Any]], str]:
    """Run worker.py on spec in a fresh private directory; (records, stderr tail)."""
    import tg_child

    run_dir = tempfile.mkdtemp(prefix='tg-gen-', dir=scratch)
    spec_path = os.path.join(run_dir, 'spec.json')
    out_path = os.path.join(run_dir, 'out.jsonl')
    cwd = os.path.join(run_dir, 'cwd')
    os.makedirs(cwd)
    with open(spec_path, 'w', encoding='utf-8') as fh:
        json.dump(spec, fh)
    env = {
        'LANG': 'C.UTF-8',
        'PATH': os.environ.get('PATH', '/usr/bin:/bin'),
        'HOME': cwd,
        'PYTHONDONTWRITEBYTECODE': '1',
        'PYTHONHASHSEED': '0',
        'TMPDIR': cwd,
    }
    limits = tg_child.rlimits(cpu_seconds=wall + 2, as_bytes=1024 * tg_child.MiB)

    def start(server):
        # A forked worker gets the zygote's four descriptors; it reads neither stdin nor the channel.
        return tg_child.run_child(
            [sys.executable, '-I', WORKER, spec_path, out_path],
            cwd,
            env,
            cpu_seconds=wall + 2,
            wall_seconds=wall,
            max_output_bytes=1024 * 1024,
            limits=limits,
            channel=server is not None,
            zygote=server,
            spawn_extra={'args': [spec_path, out_path]} if server is not None else None,
        )

    try:
        result = start(_EXPLORERS.get())
    except tg_child.ZygoteError as e:
        _EXPLORERS.broken(str(e))
        result = start(None)
    records: list[dict[str, Any]] = []
    try:
        with open(out_path, encoding='utf-8', errors='replace') as fh:
            for line in fh:
                try:
                    rec = json.loads(line)
                except ValueError:
                    continue
                if isinstance(rec, dict):
                    records.append(rec)
    except FileNotFoundError:
        pass
    why = result.stderr_tail[-2000:]
    if result.timed_out or result.limit:
        why = f'explorer stopped by the {result.limit or "wall"} limit. ' + why
    elif result.signal:
        why = f'explorer killed by signal {result.signal}. ' + why
    shutil.rmtree(run_dir, ignore_errors=True)
    return records, why


def _detect(head: str) -> dict[str, Any]:
    import tg_project

    return tg_project.detect_project(head)


def _module_name(head: str, rel: str, roots: list[str]) -> str:
    import tg_project

    return tg_project.module_name(head, rel, roots)


def _test_path(head: str, module: str, taken: set[str]) -> str:
    last = module.rsplit('.', 1)[-1] or 'module'
    for candidate in (last, module.replace('.', '_')):
        rel = f'tests/test_testgate_{candidate}.py'
        if rel not in taken and not os.path.exists(os.path.join(head, rel)):
            return rel
    n = 2
    while f'tests/test_testgate_{module.replace(".", "_")}_{n}.py' in taken:
        n += 1
    return f'tests/test_testgate_{module.replace(".", "_")}_{n}.py'


def _format(content: str) -> str:
    """black, when the image has it: emitted calls can be long. Unformatted on any failure."""
    try:
        import black  # type: ignore[import-not-found]
    except Exception:  # noqa: BLE001 - black is optional
        return content
    try:
        return black.format_str(content, mode=black.Mode(line_length=100))
    except Exception:  # noqa: BLE001
        return content


def _same(a: dict[str, Any] | None, b: dict[str, Any] | None) -> bool:
    if a is None or b is None:
        return False
    keys = ('kind', 'src', 'exc', 'excType', 'message', 'state', 'cls')
    return all(a.get(k) == b.get(k) for k in keys)


def generate(workdir: str, request: dict[str, Any], progress: Progress) -> dict[str, Any]:
    try:
        return _generate(workdir, request, progress)
    finally:
        _EXPLORERS.close()


def _generate(workdir: str, request: dict[str, Any], progress: Progress) -> dict[str, Any]:
    """The built-in generator: targets read statically, then per module an exploration in
    a sandboxed worker, the cases chosen, a replay in a fresh one, and a test file."""
    t0 = time.monotonic()
    cfg = _settings(request)
    head, roots, project, functions = _read_change(workdir, request)
    skipped: list[dict[str, str]] = []
    suspected: list[dict[str, str]] = []
    project_out: dict[str, Any] = {
        'layout': project.get('layout', 'unknown'),
        'packages': list(project.get('packages', []))[:1000],
        'importable': True,
    }
    by_file = _targets(head, functions, skipped)
    total_targets = sum(len(v) for v in by_file.values())
    progress(
        'generate',
        f'{total_targets} function(s) to explore in {len(by_file)} module(s), '
        f'{len(skipped)} skipped before exploration',
        0,
        total_targets,
    )
    scratch = tempfile.mkdtemp(prefix='tg-generate-')
    run = _start_exploration(
        cfg, request, head=head, roots=roots, scratch=scratch, by_file=by_file, skipped=skipped, suspected=suspected
    )
    try:
        tests, import_errors = _explore_modules(run, by_file, head=head, roots=roots, progress=progress)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if import_errors and not tests:
        project_out['importable'] = False
        project_out['importError'] = '\n'.join(import_errors)[-20000:]
    progress('generate', f'{len(tests)} test file(s), {len(skipped)} function(s) skipped', total_targets, total_targets)
    return {
        'protocol': 1,
        'mode': 'generate',
        'project': project_out,
        'functions': functions,
        'tests': tests,
        'skipped': skipped,
        'suspectedBugs': suspected[:1000],
        'durationMs': (time.monotonic() - t0) * 1000,
    }


def _read_change(workdir: str, request: dict[str, Any]) -> tuple[str, list[str], dict[str, Any], list[dict[str, Any]]]:
    """The head tree, its import roots (with the build metadata the project needs provided),
    its layout, and the functions the change touches."""
    import tg_diff
    import tg_naming
    import tg_project

    head = os.path.join(workdir, 'head')
    base = os.path.join(workdir, 'base')
    project = _detect(head)
    roots = [os.path.abspath(r) for r in project.get('import_roots', [head])]
    naming = tg_naming.load(head, globs=request.get('settings', {}).get('testGlobs') or ())
    _, changed_lines = tg_diff.diff_trees(base, head, naming)
    provided = tg_project.provide_build_metadata(head)
    if provided['root']:
        roots.append(os.path.abspath(provided['root']))
    functions = tg_diff.changed_functions(head, changed_lines)
    return head, roots, project, functions


def _start_exploration(
    cfg: dict[str, Any],
    request: dict[str, Any],
    *,
    head: str,
    roots: list[str],
    scratch: str,
    by_file: dict[str, list[dict[str, Any]]],
    skipped: list[dict[str, str]],
    suspected: list[dict[str, str]],
) -> _Exploration:
    """The exploration's limits: its share of generateSeconds, less each worker's start, split
    evenly over the targets."""
    import tg_project

    total_targets = sum(len(v) for v in by_file.values())
    budget = cfg['generateSeconds']
    explore_total = max(0.5 * total_targets, budget * EXPLORE_SHARE - WORKER_STARTUP_SECONDS * len(by_file))
    return _Exploration(
        head=head,
        roots=roots,
        env_paths=tg_project.environment_paths(request),
        scratch=scratch,
        per_target=explore_total / total_targets if total_targets else 0.0,
        call_timeout=min(0.5, max(0.05, cfg['cpuSecondsPerTest'] / 4)),
        max_tests=max(0, cfg['maxTestsPerFunction']),
        skipped=skipped,
        suspected=suspected,
    )


def _explore_modules(
    run: _Exploration,
    by_file: dict[str, list[dict[str, Any]]],
    *,
    head: str,
    roots: list[str],
    progress: Progress,
) -> tuple[list[dict[str, Any]], list[str]]:
    """Per module: explore, replay what was chosen in a fresh process, render a test file.
    Returns the test files and the import errors met on the way."""
    total_targets = sum(len(v) for v in by_file.values())
    done = 0
    taken_paths: set[str] = set()
    import_errors: list[str] = []
    tests: list[dict[str, Any]] = []
    for rel, targets in sorted(by_file.items()):
        progress(
            'generate',
            f'exploring {_module_name(head, rel, roots) or rel}: {", ".join(t["qualname"] for t in targets)}',
            done,
            total_targets,
        )
        module, spec, chosen, import_error = run.explore(rel, targets)
        done += len(targets)
        if import_error:
            import_errors.append(import_error)
        if not chosen:
            continue
        # Second run in a fresh process: keep only what repeats exactly.
        progress('generate', f'replaying {sum(len(c) for _, c in chosen)} case(s) of {module}', done, total_targets)
        stable = run.replay(rel, spec, chosen)
        if not stable:
            continue
        content, _names = emit.render_module(module, stable)
        path = _test_path(head, module, taken_paths)
        taken_paths.add(path)
        tests.append({'path': path, 'content': _format(content), 'targets': [t['qualname'] for t, _ in stable]})
    return tests, import_errors


def _targets(
    head: str, functions: list[dict[str, Any]], skipped: list[dict[str, str]]
) -> dict[str, list[dict[str, Any]]]:
    """Static pass: the changed functions that can get stable tests, by file; the others
    go to skipped with the reason."""
    import tg_diff

    by_file: dict[str, list[dict[str, Any]]] = {}
    for fn in functions:
        rel = fn['file']
        path = os.path.join(head, rel)
        tree = tg_diff.parse_file(path)
        if tree is None:
            skipped.append({'file': rel, 'qualname': fn['qualname'], 'reason': 'the file does not parse'})
            continue
        desc = static.describe_target(tree, fn['qualname'])
        if desc is None:
            skipped.append({'file': rel, 'qualname': fn['qualname'], 'reason': 'not a module-level function or method'})
            continue
        reason = None
        if desc['kind'] == 'async':
            reason = 'coroutine function (async def): not supported by the built-in generator'
        elif desc['kind'] == 'property':
            reason = 'property accessor: covered through the methods that use it'
        elif desc['hazard']:
            reason = f'{desc["hazard"]}: tests would be flaky or reach outside the sandbox'
        elif (
            desc['name'].startswith('__')
            and desc['name'] not in ('__init__', *emit._DUNDER_CALLS)
            and desc['className']
        ):
            reason = f'special method {desc["name"]}: exercised through the operators that call it'
        if reason:
            skipped.append({'file': rel, 'qualname': fn['qualname'], 'reason': reason})
            continue
        # Kept out of the worker's spec (which names its keys): for the contract checks after replay.
        desc['tree'], desc['node'] = tree, static.find_function(tree, fn['qualname'])[0]
        desc['selfArg'] = desc['kind'] in ('method', 'classmethod')
        desc['changed'] = fn['changedLines']
        desc['raiseChanged'] = fn.get('raiseLines', [])
        desc['file'] = rel
        by_file.setdefault(rel, []).append(desc)
    return by_file


class _Exploration:
    """One generate run's exploration of its modules: what every module's worker runs with,
    and the skipped targets and suspected bugs found on the way."""

    def __init__(
        self,
        *,
        head: str,
        roots: list[str],
        env_paths: list[str],
        scratch: str,
        per_target: float,
        call_timeout: float,
        max_tests: int,
        skipped: list[dict[str, str]],
        suspected: list[dict[str, str]],
    ) -> None:
        self.head, self.roots, self.env_paths, self.scratch = head, roots, env_paths, scratch
        self.per_target, self.call_timeout, self.max_tests = per_target, call_timeout, max_tests
        self.skipped, self.suspected = skipped, suspected

    def explore(self, rel: str, targets: list[dict[str, Any]]):
        """Explores one module's targets in a worker and chooses each one's cases.
        Returns (module, the worker's spec, [(target, cases)], an import error or None)."""
        skipped, call_timeout = self.skipped, self.call_timeout
        head, roots, per_target = self.head, self.roots, self.per_target
        module = _module_name(head, rel, roots)
        file = os.path.abspath(os.path.join(head, rel))
        for t in targets:
            t['module'] = module
        if not module or not all(p.isidentifier() for p in module.split('.')):
            for t in targets:
                skipped.append(
                    {
                        'file': rel,
                        'qualname': t['qualname'],
                        'reason': f'{rel} is not importable as a module from the project roots',
                    }
                )
            return module, None, [], None
        spec = {
            'mode': 'explore',
            'module': module,
            'file': file,
            'importRoots': roots,
            'envPaths': self.env_paths,
            'targets': [
                {
                    'qualname': t['qualname'],
                    'kind': t['kind'],
                    'generator': t['generator'],
                    'literals': t['literals'],
                    'doctests': t['doctests'],
                    'budget': per_target,
                    'callTimeout': call_timeout,
                }
                for t in targets
            ],
        }
        wall = per_target * len(targets) + 10 + call_timeout * 4 * len(targets)
        records, why = _run_worker(spec, wall, self.scratch)
        imp = next((r for r in records if r.get('t') == 'import'), None)
        if imp is None or not imp.get('ok'):
            err = (imp or {}).get('error') or why or 'the explorer produced no result'
            last_line = err.strip().splitlines()[-1] if err.strip() else 'unknown error'
            for t in targets:
                skipped.append(
                    {
                        'file': rel,
                        'qualname': t['qualname'],
                        'reason': f'{module} does not import in the sandbox: {last_line}'[:2000],
                    }
                )
            return module, spec, [], f'{module}: {err}'[-4000:]
        if imp.get('events'):
            for t in targets:
                skipped.append(
                    {
                        'file': rel,
                        'qualname': t['qualname'],
                        'reason': f'importing {module} touches the outside world ({"; ".join(imp["events"])})'[:2000],
                    }
                )
            return module, spec, [], None
        return module, spec, self._choose(rel, targets, records, why), None

    def _choose(self, rel: str, targets: list[dict[str, Any]], records: list, why: str) -> list:
        """Each explored target's cases to keep (tg_generate.choose): [(target, cases)];
        a target with none goes to skipped with the reason."""
        skipped, max_tests = self.skipped, self.max_tests
        chosen: list[tuple[dict[str, Any], list[dict[str, Any]]]] = []
        for t in targets:
            q = t['qualname']
            mine = [r for r in records if r.get('target') == q]
            io = next((r for r in mine if r.get('t') == 'io'), None)
            skip = next((r for r in mine if r.get('t') == 'skip'), None)
            got = next((r for r in mine if r.get('t') == 'cases'), None)
            if io is not None:
                skipped.append(
                    {
                        'file': rel,
                        'qualname': q,
                        'reason': f'touches the outside world ({"; ".join(io["events"])}): '
                        f'tests would be flaky or unsafe'[:2000],
                    }
                )
                continue
            if skip is not None:
                skipped.append({'file': rel, 'qualname': q, 'reason': str(skip['reason'])[:2000]})
                continue
            if got is None:
                skipped.append(
                    {
                        'file': rel,
                        'qualname': q,
                        'reason': f'exploration did not finish ({why.strip()[-300:] or "no result"})'[:2000],
                    }
                )
                continue
            t['kind'] = got.get('kind', t['kind'])
            picked = choose.choose(
                got['cases'], set(t['changed']), set(t['raiseChanged']), (t['startLine'], t['endLine']), max_tests
            )
            if not picked:
                stats = got.get('stats', {})
                skipped.append(
                    {
                        'file': rel,
                        'qualname': q,
                        'reason': (
                            f'no call could be written as a literal test (explored {stats.get("calls", 0)} calls; '
                            f'{stats.get("opaque", 0)} with values that are not literals, '
                            f'{stats.get("timeouts", 0)} timeouts)'
                        ),
                    }
                )
                continue
            chosen.append((t, picked))
        return chosen

    def replay(self, rel: str, spec: dict[str, Any], chosen: list) -> list:
        """Replays the chosen cases in a fresh worker: [(target, cases)] that repeated
        exactly and do not contradict the function's own contract."""
        skipped, suspected, call_timeout = self.skipped, self.suspected, self.call_timeout
        rspec = dict(
            spec,
            mode='replay',
            targets=[
                {
                    'qualname': t['qualname'],
                    'kind': t['kind'],
                    'generator': t['generator'],
                    'callTimeout': call_timeout,
                    'cases': [{'args': c['args'], 'ctor': c.get('ctor', [])} for c in cases],
                }
                for t, cases in chosen
            ],
        )
        rrecords, rwhy = _run_worker(rspec, 10 + call_timeout * 4 * sum(len(c) for _, c in chosen), self.scratch)
        stable: list[tuple[dict[str, Any], list[dict[str, Any]]]] = []
        for t, cases in chosen:
            q = t['qualname']
            replays = {
                (r['index'], r.get('round', 0)): r.get('outcome')
                for r in rrecords
                if r.get('t') == 'replay' and r.get('target') == q
            }
            if any(r.get('t') == 'io' and r.get('target') == q for r in rrecords):
                skipped.append({'file': rel, 'qualname': q, 'reason': 'touches the outside world on replay'})
                continue
            if len(replays) < 2 * len(cases):
                skipped.append(
                    {
                        'file': rel,
                        'qualname': q,
                        'reason': f'replay did not finish ({rwhy.strip()[-300:] or "no result"})'[:2000],
                    }
                )
                continue
            if not all(_same(c['outcome'], replays.get((i, rnd))) for i, c in enumerate(cases) for rnd in (0, 1)):
                skipped.append(
                    {
                        'file': rel,
                        'qualname': q,
                        'reason': 'results differ between two runs (clock, randomness or hidden state): '
                        'tests would be flaky',
                    }
                )
                continue
            # A case whose exception contradicts the function's docstring, hints or
            # sentinel would pin a bug as expected behaviour: report it, do not offer it.
            cases, bugs = contradictions.split_cases(t['tree'], t['node'], t['selfArg'], cases)
            suspected.extend({'file': rel, 'qualname': q, 'message': why[:2000]} for why in bugs)
            if not cases:
                skipped.append(
                    {
                        'file': rel,
                        'qualname': q,
                        'reason': 'every stable case contradicts the function\'s own contract (see suspected bugs)',
                    }
                )
                continue
            stable.append((t, cases))
        return stable
