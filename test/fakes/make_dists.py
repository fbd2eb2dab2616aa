"""Builds wheels and sdists of fixture packages for the local package index of the tests.

Reads a JSON list of packages on stdin and writes their files into argv[1]. A wheel is a
zip with METADATA, WHEEL and RECORD (PEP 427), written directly: no build backend, so the
tests control every byte and depend on nothing installed. An sdist names `tg-backend` as
its build backend (a wheel the tests build too, from BACKEND_SOURCE below), so building it
in the sandbox needs nothing but the wheelhouse.

Package: {"name", "version", "modules": {"pkg/__init__.py": "..."}, "requires": [...],
          "extras": {"fancy": [...]}, "requiresPython": ">=3.8", "kind": "wheel"|"sdist"|"backend",
          "tag": "py3-none-any" (a wheel's compatibility tag),
          "entryPoints": {"pytest11": {"name": "module"}}}
"""
import base64
import hashlib
import io
import json
import os
import sys
import tarfile
import zipfile

# A PEP 517 backend small enough to read: packs src/ of the sdist into a pure wheel.
BACKEND_SOURCE = r'''
import base64, hashlib, os, tomllib, zipfile

def _project():
    with open("pyproject.toml", "rb") as fh:
        return tomllib.load(fh)["project"]

def get_requires_for_build_wheel(config_settings=None):
    return []

def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    p = _project()
    dist = p["name"].replace("-", "_")
    info = "%s-%s.dist-info" % (dist, p["version"])
    files = {}
    for root, _dirs, names in os.walk("src"):
        for name in names:
            full = os.path.join(root, name)
            with open(full, "rb") as fh:
                files[os.path.relpath(full, "src")] = fh.read()
    meta = "Metadata-Version: 2.1\nName: %s\nVersion: %s\n" % (p["name"], p["version"])
    meta += "".join("Requires-Dist: %s\n" % r for r in p.get("dependencies", []))
    files[info + "/METADATA"] = meta.encode()
    files[info + "/WHEEL"] = b"Wheel-Version: 1.0\nGenerator: tg-backend\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    record = []
    for name, data in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append("%s,sha256=%s,%d" % (name, digest, len(data)))
    record.append(info + "/RECORD,,")
    files[info + "/RECORD"] = ("\n".join(record) + "\n").encode()
    filename = "%s-%s-py3-none-any.whl" % (dist, p["version"])
    with zipfile.ZipFile(os.path.join(wheel_directory, filename), "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return filename
'''

FIXED = (2020, 1, 1, 0, 0, 0)


def _digest(data: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b'=').decode()


def wheel(pkg: dict, out: str) -> str:
    dist = pkg['name'].replace('-', '_')
    info = '%s-%s.dist-info' % (dist, pkg['version'])
    files = {name: body.encode() for name, body in pkg.get('modules', {}).items()}
    meta = ['Metadata-Version: 2.1', 'Name: %s' % pkg['name'], 'Version: %s' % pkg['version']]
    if pkg.get('requiresPython'):
        meta.append('Requires-Python: %s' % pkg['requiresPython'])
    meta += ['Requires-Dist: %s' % r for r in pkg.get('requires', [])]
    for extra, reqs in sorted(pkg.get('extras', {}).items()):
        meta.append('Provides-Extra: %s' % extra)
        meta += ['Requires-Dist: %s ; extra == "%s"' % (r, extra) for r in reqs]
    files[info + '/METADATA'] = ('\n'.join(meta) + '\n').encode()
    if pkg.get('entryPoints'):
        files[info + '/entry_points.txt'] = ''.join(
            '[%s]\n%s\n' % (group, ''.join('%s = %s\n' % kv for kv in sorted(points.items())))
            for group, points in sorted(pkg['entryPoints'].items())).encode()
    tag = pkg.get('tag', 'py3-none-any')
    files[info + '/WHEEL'] = ('Wheel-Version: 1.0\nGenerator: make_dists\nRoot-Is-Purelib: true\nTag: %s\n' % tag).encode()
    record = ['%s,sha256=%s,%d' % (name, _digest(data), len(data)) for name, data in files.items()]
    record.append(info + '/RECORD,,')
    files[info + '/RECORD'] = ('\n'.join(record) + '\n').encode()
    filename = '%s-%s-%s.whl' % (dist, pkg['version'], tag)
    with zipfile.ZipFile(os.path.join(out, filename), 'w') as zf:
        for name, data in files.items():
            zf.writestr(zipfile.ZipInfo(name, FIXED), data)
    return filename


def sdist(pkg: dict, out: str) -> str:
    root = '%s-%s' % (pkg['name'].replace('-', '_'), pkg['version'])
    deps = ', '.join(json.dumps(r) for r in pkg.get('requires', []))
    pyproject = ('[build-system]\nrequires = ["tg-backend"]\nbuild-backend = "tg_backend"\n\n'
                 '[project]\nname = "%s"\nversion = "%s"\ndependencies = [%s]\n' % (pkg['name'], pkg['version'], deps))
    files = {root + '/pyproject.toml': pyproject.encode(),
             root + '/PKG-INFO': ('Metadata-Version: 2.1\nName: %s\nVersion: %s\n' % (pkg['name'], pkg['version'])).encode()}
    for name, body in pkg.get('modules', {}).items():
        files['%s/src/%s' % (root, name)] = body.encode()
    filename = root + '.tar.gz'
    with tarfile.open(os.path.join(out, filename), 'w:gz') as tf:
        for name, data in sorted(files.items()):
            member = tarfile.TarInfo(name)
            member.size = len(data)
            member.mtime = 1577836800
            tf.addfile(member, io.BytesIO(data))
    return filename


def main() -> int:
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    made = []
    for pkg in json.load(sys.stdin):
        if pkg.get('kind') == 'backend':
            pkg = dict(pkg, modules={'tg_backend.py': BACKEND_SOURCE})
            made.append(wheel(pkg, out))
        elif pkg.get('kind') == 'sdist':
            made.append(sdist(pkg, out))
        else:
            made.append(wheel(pkg, out))
    print(json.dumps(made))
    return 0


if __name__ == '__main__':
    sys.exit(main())
