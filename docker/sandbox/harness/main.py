"""Testgate sandbox harness entry point: `python3 -I /opt/testgate/harness/main.py`.

Reads one tar on stdin (request.json, base/, head/, candidates/), extracts it safely into
/work, deletes request.json, runs the requested mode and writes `TESTGATE-REPORT <nonce>
<json>` as the last stdout line. Exit 0 whenever a report was written. See PROTOCOL.md.
"""

import os
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

PR_SET_DUMPABLE = 4
PR_SET_CHILD_SUBREAPER = 36


def _harden() -> None:
    """Non-dumpable: a test (same uid) cannot open /proc/<harness>/mem, fd/ or environ.

    Child subreaper: a process a test double-forks away is reparented to us, so the harness
    can kill it before the next test instead of it living on under the init process.
    """
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0:
            print('harness: prctl(PR_SET_DUMPABLE) failed errno=%d' % ctypes.get_errno(), file=sys.stderr)
        if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
            print('harness: prctl(PR_SET_CHILD_SUBREAPER) failed errno=%d' % ctypes.get_errno(), file=sys.stderr)
    except Exception as e:  # noqa: BLE001 -- report and go on: the container is still sealed
        print('harness: could not harden the process: %r' % (e,), file=sys.stderr)


def main() -> int:
    _harden()
    import tg_protocol

    out = tg_protocol.Output()
    t0 = time.monotonic()
    workdir = os.environ.get('TESTGATE_WORKDIR', '/work')
    try:
        data = tg_protocol.read_stdin()
        os.makedirs(workdir, exist_ok=True)
        tg_protocol.safe_extract(data, workdir)
        del data
        req_path = os.path.join(workdir, 'request.json')
        try:
            with open(req_path, 'rb') as f:
                raw = f.read()
        except FileNotFoundError:
            raise tg_protocol.ProtocolError('request.json missing from the input tar') from None
        os.unlink(req_path)
        request = tg_protocol.parse_request(raw)
        del raw
    except tg_protocol.ProtocolError as e:
        print('harness: bad input: %s' % e, file=sys.stderr)
        return 2
    nonce = request.pop('nonce')
    for sub in ('base', 'head', 'candidates'):
        os.makedirs(os.path.join(workdir, sub), exist_ok=True)
    mode = request['mode']
    out.progress(
        'collect', 'harness started: mode %s, input extracted in %d ms' % (mode, (time.monotonic() - t0) * 1000)
    )
    try:
        if mode == 'evaluate':
            import tg_evaluate

            report = tg_evaluate.evaluate(workdir, request, out.progress)
        elif mode == 'analyze':
            import tg_context

            report = tg_context.analyze(workdir, request, out.progress)
        else:
            import tg_generate

            report = tg_generate.generate(workdir, request, out.progress)
    except Exception:  # noqa: BLE001 -- the host needs the traceback on stderr, and a non-zero exit
        traceback.print_exc()
        return 1
    out.report(nonce, report)
    return 0


if __name__ == '__main__':
    sys.exit(main())
