"""Where the PR's importable code lives: flat or src layout, top-level packages, import roots.

Read-only and static: setup.py is parsed with `ast`, never executed, and nothing is imported
(the runner probes importability separately, inside a child with limits).
"""

from __future__ import annotations

import ast
import configparser
import os
import tomllib

# Directories that never hold the project's importable code, whatever their contents.
_NOT_PACKAGES = {
    "tests",
    "test",
    "testing",
    "docs",
    "doc",
    "examples",
    "example",
    "build",
    "dist",
    "venv",
    "env",
    "site-packages",
    "node_modules",
    "scripts",
    "benchmarks",
    "bench",
}
# Top-level modules that are project plumbing, not code under test.
_NOT_MODULES = {"setup", "conftest", "noxfile", "tasks", "fabfile", "manage", "dodo"}


def _is_identifier(name: str) -> bool:
    return name.isidentifier() and not name.startswith(".")


def _is_test_module(name: str) -> bool:
    return name.startswith("test_") or name.endswith("_test") or name == "test"


def _read_text(path: str) -> str | None:
    try:
        with open(path, "rb") as f:
            return f.read(2_000_000).decode("utf-8", errors="replace")
    except OSError:
        return None


def _norm_dir(head: str, rel: str) -> str | None:
    """Resolve a config-declared directory inside head; None when it escapes head or is missing."""
    rel = (rel or "").strip().strip("/") or "."
    path = os.path.normpath(os.path.join(head, rel))
    head_n = os.path.normpath(head)
    if path != head_n and not path.startswith(head_n + os.sep):
        return None
    return path if os.path.isdir(path) else None


def _pyproject_roots(head: str) -> tuple[list[str], list[str]]:
    """(source dirs relative to head, explicit package names) declared in pyproject.toml."""
    text = _read_text(os.path.join(head, "pyproject.toml"))
    if text is None:
        return [], []
    try:
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, ValueError):
        return [], []
    tool = data.get("tool") if isinstance(data.get("tool"), dict) else {}
    roots: list[str] = []
    names: list[str] = []
    st = tool.get("setuptools") if isinstance(tool.get("setuptools"), dict) else {}
    pkg_dir = st.get("package-dir")
    if isinstance(pkg_dir, dict) and isinstance(pkg_dir.get(""), str):
        roots.append(pkg_dir[""])
    pkgs = st.get("packages")
    if isinstance(pkgs, dict):
        find = pkgs.get("find")
        if isinstance(find, dict):
            where = find.get("where")
            if isinstance(where, list):
                roots.extend(w for w in where if isinstance(w, str))
            elif isinstance(where, str):
                roots.append(where)
    elif isinstance(pkgs, list):
        names.extend(p.split(".")[0] for p in pkgs if isinstance(p, str))
    poetry = tool.get("poetry") if isinstance(tool.get("poetry"), dict) else {}
    for entry in poetry.get("packages") or []:
        if isinstance(entry, dict) and isinstance(entry.get("include"), str):
            if isinstance(entry.get("from"), str):
                roots.append(entry["from"])
            names.append(entry["include"].split("/")[0].split(".")[0])
    flit = _dig(tool, "flit", "module", "name")
    if isinstance(flit, str):
        names.append(flit.split(".")[0])
    project_name = _dig(data, "project", "name")
    if isinstance(project_name, str):
        # The import name of most distributions: `my-pkg` -> `my_pkg` (kept only if it exists).
        names.append(project_name.strip().replace("-", "_").replace(".", "_").lower())
    hatch = tool.get("hatch") if isinstance(tool.get("hatch"), dict) else {}
    wheel = (
        (((hatch.get("build") or {}).get("targets") or {}).get("wheel") or {})
        if isinstance(hatch.get("build"), dict)
        else {}
    )
    if isinstance(wheel, dict):
        for p in wheel.get("packages") or []:
            if isinstance(p, str):
                parent, _, base = p.strip("/").rpartition("/")
                if parent:
                    roots.append(parent)
                if base:
                    names.append(base)
    return roots, [n for n in names if _is_identifier(n)]


def _ini_pythonpath(head: str) -> list[str]:
    """pytest's `pythonpath` ini option (pytest >= 7), from the config file pytest itself would pick."""
    import tg_naming

    _source, options = tg_naming.read_pytest_ini(head)
    value = options.get("pythonpath")
    return value.split() if isinstance(value, str) else [v for v in value or [] if isinstance(v, str)]


def _setup_cfg_roots(head: str) -> list[str]:
    text = _read_text(os.path.join(head, "setup.cfg"))
    if text is None:
        return []
    cp = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        cp.read_string(text)
    except configparser.Error:
        return []
    roots: list[str] = []
    if cp.has_option("options", "package_dir"):
        for line in cp.get("options", "package_dir").splitlines():
            key, sep, value = line.partition("=")
            if sep and key.strip() == "":
                roots.append(value.strip())
    if cp.has_option("options.packages.find", "where"):
        roots.extend(cp.get("options.packages.find", "where").split())
    return roots


def _literal(node: ast.AST):
    try:
        return ast.literal_eval(node)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None


def _setup_py_roots(head: str) -> list[str]:
    text = _read_text(os.path.join(head, "setup.py"))
    if text is None:
        return []
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    roots: list[str] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        fname = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        if fname == "setup":
            for kw in node.keywords:
                if kw.arg == "package_dir":
                    value = _literal(kw.value)
                    if isinstance(value, dict) and isinstance(value.get(""), str):
                        roots.append(value[""])
        elif fname in ("find_packages", "find_namespace_packages"):
            arg = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "where"), None)
            value = _literal(arg) if arg is not None else None
            if isinstance(value, str):
                roots.append(value)
    return roots


def _packages_in(root: str) -> list[str]:
    """Top-level importable names directly under root: its packages (with __init__.py); its
    single-file modules only when it holds no package. A root with a package and loose
    scripts (`update_timestamp.py`, `release.py`) is that package: importing the scripts to
    probe them would run maintainer tooling, not the code under test."""
    names: list[str] = []
    modules: list[str] = []
    try:
        entries = sorted(os.listdir(root))
    except OSError:
        return names
    for entry in entries:
        full = os.path.join(root, entry)
        if entry.startswith(".") or entry.startswith("__"):
            continue
        if os.path.isdir(full) and not os.path.islink(full):
            if entry in _NOT_PACKAGES or not _is_identifier(entry) or _is_test_module(entry):
                continue
            if os.path.isfile(os.path.join(full, "__init__.py")):
                names.append(entry)
        elif entry.endswith(".py") and os.path.isfile(full):
            mod = entry[:-3]
            if mod in _NOT_MODULES or not _is_identifier(mod) or _is_test_module(mod) or mod == "__init__":
                continue
            modules.append(mod)
    return names or modules


def detect_project(head: str) -> dict:
    """Layout, top-level package names and the sys.path roots the PR's tests import from."""
    head = os.path.abspath(head)
    py_roots, explicit = _pyproject_roots(head)
    declared = py_roots + _setup_cfg_roots(head) + _setup_py_roots(head) + _ini_pythonpath(head)
    roots: list[str] = []
    for rel in declared:
        path = _norm_dir(head, rel)
        if path and path not in roots:
            roots.append(path)
    src = os.path.join(head, "src")
    if not any(r != head for r in roots) and os.path.isdir(src) and _packages_in(src):
        roots.insert(0, src)
    packages: list[str] = []
    for root in roots:
        for name in _packages_in(root):
            if name not in packages:
                packages.append(name)
    non_root = [r for r in roots if r != head]
    if non_root:
        layout = "src"
    else:
        for name in _packages_in(head):
            if name not in packages:
                packages.append(name)
        layout = "flat" if packages else "unknown"
    for name in explicit:
        if name not in packages and any(
            os.path.isdir(os.path.join(r, name)) or os.path.isfile(os.path.join(r, name + ".py"))
            for r in roots + [head]
        ):
            packages.append(name)
    # The head root goes last: pytest's rootdir conftest puts it on sys.path too, and tests
    # import helpers (`tests.helpers`) from it; package roots first so `import pkg` finds src/.
    import_roots = non_root + [head]
    return {"layout": layout, "packages": packages, "import_roots": import_roots}


def module_name(head: str, rel_path: str, import_roots: list[str]) -> str:
    """Dotted module name of a head-relative .py path as seen from the deepest import root holding it."""
    full = os.path.normpath(os.path.join(os.path.abspath(head), rel_path))
    best = None
    for root in import_roots:
        root_n = os.path.normpath(root)
        if full.startswith(root_n + os.sep) and (best is None or len(root_n) > len(best)):
            best = root_n
    rel = os.path.relpath(full, best or os.path.abspath(head))
    if rel.endswith(".py"):
        rel = rel[:-3]
    parts = [p for p in rel.replace(os.sep, "/").split("/") if p]
    if parts and parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


# ---- build-time metadata ----------------------------------------------------------------

# What hatch-vcs and setuptools-scm write at build time; the sandbox never builds the project,
# so the gate writes the same shape with a version that says where it came from.
SANDBOX_VERSION = "0+testgate"
_VERSION_PY = (
    "# Written by Testgate for the sandbox run: the build backend writes this file at build time.\n"
    f"__version__ = version = {SANDBOX_VERSION!r}\n"
    "__version_tuple__ = version_tuple = (0, 'testgate')\n"
)
SITE_DIR = ".testgate-site"


def _toml(head: str) -> dict:
    text = _read_text(os.path.join(head, "pyproject.toml"))
    if text is None:
        return {}
    try:
        return tomllib.loads(text)
    except (tomllib.TOMLDecodeError, ValueError):
        return {}


def _dig(data, *keys):
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def build_time_version_files(head: str) -> list[str]:
    """Version files the build backend would write: hatch-vcs, setuptools-scm (pyproject or setup.py)."""
    data = _toml(head)
    out: list[str] = []
    hooks = [_dig(data, "tool", "hatch", "build", "hooks", "vcs")]
    targets = _dig(data, "tool", "hatch", "build", "targets")
    if isinstance(targets, dict):
        hooks += [_dig(t, "hooks", "vcs") for t in targets.values()]
    for hook in hooks:
        if isinstance(hook, dict) and isinstance(hook.get("version-file"), str):
            out.append(hook["version-file"])
    scm = _dig(data, "tool", "setuptools_scm")
    if isinstance(scm, dict):
        for key in ("version_file", "write_to"):
            if isinstance(scm.get(key), str):
                out.append(scm[key])
    text = _read_text(os.path.join(head, "setup.py"))
    if text and "use_scm_version" in text:
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            tree = None
        for node in ast.walk(tree) if tree is not None else []:
            if isinstance(node, ast.keyword) and node.arg == "use_scm_version":
                value = _literal(node.value)
                if isinstance(value, dict):
                    for key in ("version_file", "write_to"):
                        if isinstance(value.get(key), str):
                            out.append(value[key])
    return list(dict.fromkeys(p.strip().lstrip("./") for p in out if p.strip()))


def distribution_name(head: str) -> str | None:
    """The project's distribution name, read statically (pyproject, setup.cfg, a literal in setup.py)."""
    data = _toml(head)
    for name in (_dig(data, "project", "name"), _dig(data, "tool", "poetry", "name")):
        if isinstance(name, str) and name.strip():
            return name.strip()
    text = _read_text(os.path.join(head, "setup.cfg"))
    if text:
        cp = configparser.ConfigParser(interpolation=None, strict=False)
        try:
            cp.read_string(text)
            if cp.has_option("metadata", "name"):
                return cp.get("metadata", "name").strip() or None
        except configparser.Error:
            pass
    text = _read_text(os.path.join(head, "setup.py"))
    if text:
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return None
        for node in ast.walk(tree):
            if isinstance(node, ast.keyword) and node.arg == "name":
                value = _literal(node.value)
                if isinstance(value, str) and value.strip():
                    return value.strip()
    return None


def provide_build_metadata(head: str) -> dict:
    """Writes what a build would have made, so the package imports unbuilt: declared version
    files that are missing, and a minimal dist-info (so `importlib.metadata.version(name)` answers).

    Call after the diff: these files are the gate's, not the PR's. Returns {root, notes}: an
    import root holding the dist-info (or None) and what was written, for progress output.
    """
    notes: list[str] = []
    head_n = os.path.normpath(head)
    for rel in build_time_version_files(head):
        path = os.path.normpath(os.path.join(head, rel))
        if not path.startswith(head_n + os.sep) or os.path.lexists(path) or not os.path.isdir(os.path.dirname(path)):
            continue
        with open(path, "w", encoding="utf-8") as f:
            f.write(_VERSION_PY if path.endswith(".py") else SANDBOX_VERSION + "\n")
        notes.append(f"wrote the build-time version file {rel} (version {SANDBOX_VERSION})")
    name = distribution_name(head)
    if not name or not all(c.isalnum() or c in "-_." for c in name):
        return {"root": None, "notes": notes}
    site = os.path.join(head, SITE_DIR)
    # The wheel's dist-info name: the normalised project name (PEP 503, then `-` to `_`).
    normal = "_".join(p for p in name.replace("-", "_").replace(".", "_").lower().split("_") if p)
    dist_info = os.path.join(site, f"{normal}-{SANDBOX_VERSION}.dist-info")
    os.makedirs(dist_info, exist_ok=True)
    with open(os.path.join(dist_info, "METADATA"), "w", encoding="utf-8") as f:
        f.write(f"Metadata-Version: 2.1\nName: {name}\nVersion: {SANDBOX_VERSION}\n")
    notes.append(f"provided package metadata for {name} (version {SANDBOX_VERSION})")
    return {"root": site, "notes": notes}


def missing_submodules(head: str) -> list[str]:
    """Paths `.gitmodules` declares whose content is not in the tree: git archive and
    GitHub's tarballs leave a submodule an empty directory, and the sandbox cannot fetch it."""
    text = _read_text(os.path.join(head, '.gitmodules'))
    if not text:
        return []
    import configparser

    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(text)
    except configparser.Error:
        return []
    out = []
    for section in parser.sections():
        rel = (parser.get(section, 'path', fallback='') or '').strip().strip('/')
        full = os.path.normpath(os.path.join(head, rel)) if rel else ''
        if not full or not full.startswith(os.path.normpath(head) + os.sep):
            continue
        if not os.path.isdir(full) or not os.listdir(full):
            out.append(rel)
    return sorted(out)


# ---- installed dependencies ---------------------------------------------------------------


def environment_paths(request: dict, root: str = "/env/") -> list[str]:
    """The sys.path entries of the project's installed dependencies (the /env volume the host
    mounted read-only): each directory the request names, plus the path lines of its .pth
    files. A .pth line that starts with `import` is code and is never run: the children
    import what they need after their guards are up, and nothing runs at interpreter start."""
    out: list[str] = []
    for site_dir in (request.get("environment") or {}).get("paths") or []:
        if not os.path.isdir(site_dir):
            continue
        out.append(site_dir)
        try:
            names = sorted(n for n in os.listdir(site_dir) if n.endswith(".pth"))
        except OSError:
            continue
        for name in names:
            try:
                with open(os.path.join(site_dir, name), encoding="utf-8", errors="replace") as fh:
                    lines = fh.read().splitlines()
            except OSError:
                continue
            for line in lines:
                line = line.strip()
                if not line or line.startswith(("#", "import ", "import\t")):
                    continue
                path = os.path.normpath(os.path.join(site_dir, line))
                if path.startswith(root) and os.path.isdir(path) and path not in out:
                    out.append(path)
    return out


def environment_plugins(paths: list[str]) -> list[str]:
    """Modules of the pytest plugins installed in the environment (entry point group
    `pytest11` of each distribution), for `-p`: plugin autoload stays off, so only these and
    the gate's own load. pytest-cov is the gate's and never comes from here."""
    import configparser

    modules: list[str] = []
    for site_dir in paths:
        try:
            names = sorted(n for n in os.listdir(site_dir) if n.endswith(".dist-info"))
        except OSError:
            continue
        for name in names:
            if name.lower().replace("_", "-").startswith("pytest-cov-"):
                continue
            parser = configparser.ConfigParser(delimiters=("=",), interpolation=None)
            parser.optionxform = str  # type: ignore[assignment]
            try:
                parser.read(os.path.join(site_dir, name, "entry_points.txt"), encoding="utf-8")
            except (configparser.Error, OSError, UnicodeDecodeError):
                continue
            if not parser.has_section("pytest11"):
                continue
            for value in parser["pytest11"].values():
                module = value.split(":")[0].strip()
                if module and all(p.isidentifier() for p in module.split(".")) and module not in modules:
                    modules.append(module)
    return modules
