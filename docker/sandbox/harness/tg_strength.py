"""The strength step of `evaluate` (issue 15): what a test proves beyond the lines it runs.

Two kinds of runs, after every test ran on the head:
  - one run of each judged test over the base code (the head's test files over the base
    tree): a test that fails there and passes on the head proves the change (`fails-before`),
    one that passes on both guards behaviour (`passes-before`);
  - runs against mutants of the changed lines (tg_mutate), each only with the tests whose
    coverage includes its line, forked from the head's file servers with the mutant's code
    swapped into the live function. A test kills a mutant at a check when it fails at an
    assert or pytest.raises (tg_audit_bootstrap._failure_kind); a crash, an error or a
    timeout is recorded apart (`crashedIds`): the policy (packages/core, weakOracleDetail)
    decides when one tells a test's inputs apart.
"""

from __future__ import annotations

import collections
import concurrent.futures
import os
import queue
import shutil
import sys
import time

import tg_mutate
from tg_protocol import DEFAULT_MUTATION

# Outcomes of a run that count as "the test did not pass" on the base code.
NOT_PASSING = ('failed', 'error', 'timeout', 'resource-limit')
# How much slower than on the head a mutant run may be before it counts as a timeout (a
# mutant that makes a loop endless would otherwise hold a worker for the full deadline).
# The wall deadline binds: the CPU limit is whole seconds (RLIMIT_CPU).
MUTANT_TIME_FACTOR = 5
MUTANT_MIN_CPU_SECONDS = 0.5
MUTANT_MIN_WALL_SECONDS = 0.3
# The mutant runs stop after half the wall time the head's runs took (at least the minimum),
# within mutation.seconds: on a large PR the strength step stays a fraction of the evaluation.
MUTATION_SHARE_OF_HEAD_RUNS = 0.5
MIN_MUTATION_SECONDS = 2.0
MAX_KILLED_BY = 50


def settings_of(settings: dict) -> tuple[bool, dict]:
    """(base runs on, mutation settings) from the request's settings."""
    mutation = dict(DEFAULT_MUTATION)
    mutation.update({k: v for k, v in (settings.get('mutation') or {}).items() if k in DEFAULT_MUTATION})
    return bool(settings.get('baseRuns', True)), mutation


def code_files(changed_files: list, naming) -> list:
    """The changed code under test: Python files the PR added or modified that are not test code."""
    return sorted(
        c['path']
        for c in changed_files
        if c['status'] != 'deleted' and c['path'].endswith('.py') and not naming.is_test_code(c['path'])
    )


def build_base_code_tree(base: str, head: str, dst: str, naming, extra_rels) -> None:
    """dst: the base tree with the head's test code (test files, conftests, files under test
    directories, and extra_rels: the candidates) in place of the base's. Hard links: nothing
    writes here (each run works in a copy of its own, tg_evaluate._Runs)."""
    if os.path.isdir(base):
        shutil.copytree(base, dst, symlinks=True, copy_function=os.link, ignore=shutil.ignore_patterns('.git'))
    else:
        os.makedirs(dst)
    extra = set(extra_rels)

    def test_code(rel: str) -> bool:
        return rel in extra or naming.is_test_code(rel)

    for root, dirs, files in os.walk(dst):
        dirs[:] = [d for d in dirs if d != '__pycache__']
        for name in files:
            path = os.path.join(root, name)
            rel = os.path.relpath(path, dst)
            if test_code(rel) and not os.path.lexists(os.path.join(head, rel)):
                os.unlink(path)  # test code the head removed
    for root, dirs, files in os.walk(head):
        dirs[:] = [d for d in dirs if d not in ('.git', '__pycache__')]
        for name in files:
            src = os.path.join(root, name)
            rel = os.path.relpath(src, head)
            if not test_code(rel) or os.path.islink(src):
                continue
            target = os.path.join(dst, rel)
            if os.path.lexists(target):
                if os.path.isdir(target) and not os.path.islink(target):
                    shutil.rmtree(target)
                else:
                    os.unlink(target)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            os.link(src, target)


def label_of(head_runs: list, before: dict | None) -> str | None:
    """fails-before / passes-before / regression / fails-both, from the head's runs and the base run."""
    if before is None or not head_runs:
        return None
    outcomes = [r['outcome'] for r in head_runs]
    if all(o == 'passed' for o in outcomes):
        head = 'pass'
    elif not any(o == 'passed' for o in outcomes) and outcomes[0] in NOT_PASSING:
        head = 'fail'
    else:
        return None  # flaky or skipped on the head: nothing to compare
    if before['outcome'] == 'passed':
        base = 'pass'
    elif before['outcome'] in NOT_PASSING:
        base = 'fail'
    else:
        return None
    return {
        ('fail', 'pass'): 'fails-before',
        ('pass', 'pass'): 'passes-before',
        ('pass', 'fail'): 'regression',
        ('fail', 'fail'): 'fails-both',
    }[(base, head)]


def _mutant_outcome(run: dict) -> str:
    """killed (at a check), crashed (failed otherwise: an error, a crash, a timeout) or survived."""
    if run['outcome'] == 'passed':
        return 'survived'
    if run['outcome'] == 'failed' and run.get('failedAt') == 'check':
        return 'killed'
    return 'crashed'


class StrengthStep:
    def __init__(self, evaluator, base_runs: bool, mutation: dict) -> None:
        self.ev = evaluator
        self.base_runs = base_runs
        self.mutation = mutation
        self.mutants: list = []
        # What the runs so far showed, for skipping runs that cannot change a verdict
        # (_settled): mutants some test killed at a check, tests that killed one.
        self.killed_mutants: set = set()
        self.killing_tests: set = set()
        self.hanging_mutants: set = set()
        self._cursor = 0  # _next_job: the first mutant that may still have runs to do
        self.summary = {
            'changedLines': 0,
            'aridLines': 0,
            'equivalent': 0,
            'capped': False,
            'budgetSpent': False,
            'runs': 0,
        }

    def plan_mutants(self, code_rels: list, changed_lines: dict) -> None:
        """The mutants of the changed lines, within the caps (made before the runs: the file
        servers index the functions they patch)."""
        if not self.mutation['enabled']:
            return
        remaining = int(self.mutation['maxMutants'])
        for rel in code_rels:
            lines = changed_lines.get(rel) or []
            if not lines:
                continue
            try:
                made = tg_mutate.mutants(
                    os.path.join(self.ev.head, rel), rel, lines, int(self.mutation['maxPerLine']), max(remaining, 0)
                )
            except RecursionError:  # nesting deeper than copy or compile go: the PR's code, no mutants
                print('harness: no mutants for %s: its syntax tree is too deep' % rel, file=sys.stderr)
                continue
            for key in ('changedLines', 'aridLines', 'equivalent'):
                self.summary[key] += made[key]
            self.summary['capped'] = self.summary['capped'] or made['capped']
            for m in made['mutants']:
                m['id'] = 'm%d' % (len(self.mutants) + 1)
                self.mutants.append(m)
            remaining -= len(made['mutants'])

    def run(self, tests: list, results: dict) -> dict:
        """Base runs and mutant runs. Returns {'tests': {index: {before, label, strength}},
        'mutation': summary or None}."""
        ev = self.ev
        started = time.monotonic()
        base_queue = collections.deque(range(len(tests)) if self.base_runs else ())
        covering = {m['id']: self._covering(m, tests, results) for m in self.mutants}
        pending = {m['id']: list(covering[m['id']]) for m in self.mutants}
        planned = len(base_queue) + sum(len(v) for v in pending.values())
        per_test: dict = {i: {} for i in range(len(tests))}
        outcomes: dict = {}  # (mutant id, test index) -> 'killed' | 'crashed' | 'survived'
        kills: dict = {}  # test index -> mutants it killed at a check so far
        if planned:
            ev.progress(
                'strength',
                'running %d test(s) on the base code and up to %d mutant run(s) of %d mutant(s)'
                % (len(base_queue), planned - len(base_queue), len(self.mutants)),
                0,
                planned,
            )
        head_seconds = float(ev.phase_wall.get('run', 0.0))
        budget = max(MIN_MUTATION_SECONDS, MUTATION_SHARE_OF_HEAD_RUNS * head_seconds)
        # Counted from the first mutant run: the base runs come first and are not mutants.
        self.mutant_seconds = min(float(self.mutation['seconds']), budget)
        self.mutant_deadline = None
        base_ms = 0.0
        done = 0
        with concurrent.futures.ThreadPoolExecutor(ev.parallel) as pool:
            ended: queue.SimpleQueue = queue.SimpleQueue()

            def submit_next() -> bool:
                # Picked when a worker frees up, not all up front: what the runs so far
                # showed decides which runs are still worth doing (_next_job).
                job = self._next_job(base_queue, pending, tests, kills)
                if job is None:
                    return False
                if job[0] == 'mutant' and self.mutant_deadline is None:
                    self.mutant_deadline = time.monotonic() + self.mutant_seconds
                fut = pool.submit(self._one, job, tests, results)
                fut.add_done_callback(lambda f, job=job: ended.put((f, job)))
                return True

            in_flight = sum(1 for _ in range(ev.parallel) if submit_next())
            while in_flight:
                fut, (kind, i, m) = ended.get()
                in_flight -= 1
                res = fut.result()
                done += 1
                if res is not None:
                    run, ms = res
                    if kind == 'base':
                        base_ms += ms
                        self._note_base_run(per_test[i], run, results[i])
                    else:
                        self.summary['runs'] += 1
                        outcome = _mutant_outcome(run)
                        outcomes[(m['id'], i)] = outcome
                        if run['outcome'] == 'timeout':
                            # It hangs the code: every caller would notice, and running it
                            # again only spends a deadline per test.
                            self.hanging_mutants.add(m['id'])
                        if outcome == 'killed':
                            self.killed_mutants.add(m['id'])
                            self.killing_tests.add(i)
                            kills[i] = kills.get(i, 0) + 1
                if submit_next():
                    in_flight += 1
                left = len(base_queue) + sum(len(v) for v in pending.values())
                if not in_flight or done % 10 == 0:
                    ev.progress(
                        'strength', '%d strength run(s) done, %d to go' % (done, left), done, done + left + in_flight
                    )
        self.summary['budgetSpent'] = any(
            (m['id'], i) not in outcomes for m in self.mutants for i in covering[m['id']]
        ) and ((self.mutant_deadline is not None and time.monotonic() >= self.mutant_deadline) or ev.budget_spent())
        mutation = self._mutation_summary(outcomes, tests) if self.mutation['enabled'] else None
        self._per_test_strength(per_test, outcomes)
        if mutation is not None:
            mutation['durationMs'] = (time.monotonic() - started) * 1000
            mutation['baseDurationMs'] = base_ms
        return {'tests': per_test, 'mutation': mutation}

    def _next_job(self, base_queue: collections.deque, pending: dict, tests: list, kills: dict):
        """The next strength run: the base runs first, then each mutant's runs, a mutant no
        test killed yet first against the test that killed the most so far (a likely
        killer, after which other killers need not run it: _settled)."""
        if base_queue:
            return ('base', base_queue.popleft(), None)
        # Mutants are worked through in order: those before the cursor have no run left, so
        # a pick looks at one mutant's tests, not at every mutant's again.
        while self._cursor < len(self.mutants):
            m = self.mutants[self._cursor]
            waiting = pending[m['id']]
            waiting[:] = [i for i in waiting if not self._settled(m, tests[i], i)]
            if not waiting:
                self._cursor += 1
                continue
            pick = waiting[0]
            if m['id'] not in self.killed_mutants:
                pick = max(waiting, key=lambda i: kills.get(i, 0))
            waiting.remove(pick)
            return ('mutant', pick, m)
        return None

    @staticmethod
    def _note_base_run(entry: dict, run: dict, head_results: list) -> None:
        before = {'outcome': run['outcome']}
        if run.get('failedAt'):
            before['failedAt'] = run['failedAt']
        if run.get('message') and run['outcome'] != 'passed':
            before['message'] = run['message'][-2000:]
        entry['before'] = before
        label = label_of([r['run'] for r in head_results], before)
        if label:
            entry['label'] = label

    def _covering(self, m: dict, tests: list, results: dict) -> list:
        """Indexes of the tests that passed every head run and whose coverage includes m's line."""
        out = []
        for i in range(len(tests)):
            runs = results[i]
            if not runs or any(r['run']['outcome'] != 'passed' for r in runs):
                continue
            covered = (runs[0].get('coverage') or {}).get('changedLinesCovered') or {}
            if m['line'] in (covered.get(m['file']) or ()):
                out.append(i)
        return out

    def _one(self, job, tests: list, results: dict):
        """(run, wall ms) of one strength run; None when it was not run (budget, no server)."""
        kind, i, m = job
        ev = self.ev
        if ev.budget_spent() or (kind == 'mutant' and time.monotonic() >= self.mutant_deadline):
            return None
        t0 = time.monotonic()
        if kind == 'base':
            uncollectable = ev.uncollectable.get('base:' + tests[i]['file'])
            if uncollectable is not None:
                # Its file did not collect over the base code (its server said so): every
                # test of it errors there the same way, without a session each to show it.
                return {'outcome': 'error', 'failedAt': 'missing', 'message': uncollectable}, 0.0
            res = ev.run_test(tests[i], 0, False, tree='base')
            uncollectable = ev.uncollectable.get('base:' + tests[i]['file'])
            if res is not None and uncollectable and res['run'].get('failedAt') == 'missing':
                res['run']['message'] = uncollectable  # what the server saw, not "0 collected"

        else:
            first = results[i][0]['run']
            cpu = float(ev.settings['cpuSecondsPerTest'])
            wall = float(ev.settings['wallSecondsPerTest'])
            limits = (
                min(cpu, max(MUTANT_MIN_CPU_SECONDS, MUTANT_TIME_FACTOR * first['cpuMs'] / 1000 + 0.5)),
                min(wall, max(MUTANT_MIN_WALL_SECONDS, MUTANT_TIME_FACTOR * first['durationMs'] / 1000 + 0.2)),
            )
            res = ev.run_test(tests[i], 0, False, mutant=m, limits=limits)
        if res is None or res.get('run') is None:
            return None
        if str(res['run'].get('message', '')).startswith('not run: '):
            return None  # the evaluation's budget ran out before it started
        return res['run'], (time.monotonic() - t0) * 1000

    def _settled(self, m: dict, test: dict, i: int) -> bool:
        """Whether running test i on mutant m can change nothing judged: m hung a test (a
        crash for every caller), or a PR test that killed a mutant at a check already is not
        weak, and m already has a killer. (Generated tests
        run on every mutant they cover: the suggestions are chosen by what each kills.)"""
        if m['id'] in self.hanging_mutants:
            return True
        return test['origin'] == 'pr' and i in self.killing_tests and m['id'] in self.killed_mutants

    def _mutation_summary(self, outcomes: dict, tests: list) -> dict:
        listed = []
        for m in self.mutants:
            mine = {i: o for (mid, i), o in outcomes.items() if mid == m['id']}
            killers = sorted(tests[i]['nodeid'] for i, o in mine.items() if o == 'killed')
            if not mine:
                status = 'not-run'
            elif killers:
                status = 'killed'
            elif any(o == 'crashed' for o in mine.values()):
                status = 'crashed'
            else:
                status = 'survived'
            listed.append(
                {
                    'id': m['id'],
                    'file': m['file'],
                    'line': m['line'],
                    'col': m['col'],
                    'operator': m['operator'],
                    'original': m['original'],
                    'replacement': m['replacement'],
                    'valueChanging': m['valueChanging'],
                    'status': status,
                    'killedBy': killers[:MAX_KILLED_BY],
                    'tests': len(mine),
                }
            )
        return {'mutants': listed, **self.summary}

    def _per_test_strength(self, per_test: dict, outcomes: dict) -> None:
        value_changing = {m['id'] for m in self.mutants if m['valueChanging']}
        for (mid, i), outcome in sorted(outcomes.items()):
            s = per_test[i].setdefault(
                'strength',
                {'mutants': 0, 'killed': 0, 'crashed': 0, 'killedIds': [], 'crashedIds': [], 'mutantIds': []},
            )
            s['mutantIds'].append(mid)
            if outcome == 'killed':
                s['killedIds'].append(mid)
            elif outcome == 'crashed':
                s['crashedIds'].append(mid)
            if mid not in value_changing:
                continue
            s['mutants'] += 1
            if outcome == 'killed':
                s['killed'] += 1
            elif outcome == 'crashed':
                s['crashed'] += 1
