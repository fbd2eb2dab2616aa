"""Benchmark helper, run inside the sandbox image (python3 -I -c <this file>).

stdin: a tar with benchmods/ (the modules), ours/test_<mod>.py (our generated tests) and
settings.json {"modules": [...], "seconds": N}. For each module: line and branch coverage
reached by our tests (one pytest run), and by `hypothesis write` (the ghostwriter) tests
rerun with fresh seeds until the same time budget is spent. Prints one JSON line per module.
"""
import json
import os
import subprocess
import sys
import tarfile
import time

work = '/tmp/bench'
os.makedirs(work, exist_ok=True)
with tarfile.open(fileobj=sys.stdin.buffer, mode='r|') as tar:
    for member in tar:
        if member.isfile() and not member.name.startswith('/') and '..' not in member.name.split('/'):
            tar.extract(member, work, set_attrs=False)
cfg = json.load(open(os.path.join(work, 'settings.json')))
env = dict(os.environ, PYTHONPATH=work, HOME='/tmp', PYTHONDONTWRITEBYTECODE='1', PYTHONHASHSEED='0')


def run(argv, timeout=600):
    return subprocess.run(argv, cwd=work, env=env, capture_output=True, text=True, timeout=timeout)


def coverage_of(mod, data_file):
    src = f'benchmods/{mod}.py'
    out = os.path.join(work, f'cov-{mod}.json')
    run([sys.executable, '-m', 'coverage', 'json', f'--data-file={data_file}', f'--include={src}', '-o', out])
    try:
        summary = json.load(open(out))['totals']
    except (OSError, ValueError, KeyError):
        return {'lines': 0, 'branches': 0, 'statements': 0, 'numBranches': 0}
    return {'lines': summary['covered_lines'], 'branches': summary['covered_branches'],
            'statements': summary['num_statements'], 'numBranches': summary['num_branches']}


for mod in cfg['modules']:
    seconds = float(cfg['seconds'])
    result = {'module': mod}
    # Ours: the generated file, run once.
    ours = os.path.join('ours', f'test_{mod}.py')
    data = os.path.join(work, f'.cov-ours-{mod}')
    if os.path.exists(os.path.join(work, ours)):
        p = run([sys.executable, '-m', 'coverage', 'run', f'--data-file={data}', '--branch', f'--include=benchmods/{mod}.py',
                 '-m', 'pytest', '-q', '-p', 'no:cacheprovider', ours])
        result['oursPytest'] = p.stdout.strip().splitlines()[-1:] 
        result['ours'] = coverage_of(mod, data)
    else:
        result['ours'] = {'lines': 0, 'branches': 0, 'statements': 0, 'numBranches': 0}
    # Ghostwriter: write once, then rerun with new seeds until the budget is spent.
    t0 = time.monotonic()
    # The `hypothesis` console script, spelled so it needs nothing on PATH.
    p = run([sys.executable, '-c', 'import sys; from hypothesis.extra.cli import main; sys.exit(main())',
             'write', f'benchmods.{mod}'])
    ghost = os.path.join(work, f'test_ghost_{mod}.py')
    open(ghost, 'w').write(p.stdout)
    result['ghostWriteError'] = p.stderr.strip()[-300:] if p.returncode else None
    data = os.path.join(work, f'.cov-ghost-{mod}')
    runs = 0
    seed = 0
    while time.monotonic() - t0 < seconds:
        left = seconds - (time.monotonic() - t0)
        try:
            p = run([sys.executable, '-m', 'coverage', 'run', '--append', f'--data-file={data}', '--branch',
                     f'--include=benchmods/{mod}.py', '-m', 'pytest', '-q', '-p', 'no:cacheprovider',
                     f'--hypothesis-seed={seed}', ghost], timeout=max(left, 1) + 5)
        except subprocess.TimeoutExpired:
            break
        runs += 1
        seed += 1
        if runs == 1:
            result['ghostPytest'] = p.stdout.strip().splitlines()[-1:]
    result['ghostRuns'] = runs
    result['ghost'] = coverage_of(mod, data)
    print(json.dumps(result), flush=True)
