"""What is test code in this repository: the project's own pytest configuration decides.

pytest reads `python_files`, `python_classes`, `python_functions` and `testpaths` from the
first of pytest.ini, .pytest.ini, pyproject.toml ([tool.pytest.ini_options]), tox.ini
([pytest]) and setup.cfg ([tool:pytest]) that has its section (pytest's `determine_setup`).
The gate reads the same keys the same way, so a root `test.py` named by
`python_files = test.py` is a test file, and `check_*` functions named by
`python_functions` are tests. Without project config, pytest's defaults apply; the glob
list from `.github/testgate.yml` (`tests.globs` + `tests.include`) adds files on top, and
`tests.exclude` removes them.

Read statically: nothing in the repository is imported or executed here.
"""

from __future__ import annotations

import configparser
import fnmatch
import os
import tomllib

from tg_project import _read_text

PYTEST_DEFAULT_FILES = ("test_*.py", "*_test.py")
PYTEST_DEFAULT_CLASSES = ("Test",)
PYTEST_DEFAULT_FUNCTIONS = ("test",)
# Directory names that hold test support code (helpers, fixtures, data) by convention. Not
# `testing`: packages ship `pkg/testing/` as code for their users.
TEST_DIR_NAMES = ("tests", "test")
_INI_FILES = (
    ("pytest.ini", "pytest"),
    (".pytest.ini", "pytest"),
    ("pyproject.toml", None),
    ("tox.ini", "pytest"),
    ("setup.cfg", "tool:pytest"),
)


def _words(value) -> list[str]:
    if isinstance(value, str):
        return value.split()
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def read_pytest_ini(root: str) -> tuple[str | None, dict]:
    """(config file name, its pytest options) as pytest's rootdir discovery would pick them."""
    for name, section in _INI_FILES:
        text = _read_text(os.path.join(root, name))
        if text is None:
            continue
        if section is None:
            try:
                data = tomllib.loads(text)
            except (tomllib.TOMLDecodeError, ValueError):
                continue
            opts = ((data.get("tool") or {}).get("pytest") or {}).get("ini_options")
            if isinstance(opts, dict):
                return name, dict(opts)
            continue
        cp = configparser.ConfigParser(interpolation=None, strict=False)
        try:
            cp.read_string(text)
        except configparser.Error:
            continue
        if cp.has_section(section):
            return name, dict(cp.items(section))
        if name in ("pytest.ini", ".pytest.ini"):
            # pytest.ini is the config file even with no [pytest] section.
            return name, {}
    return None, {}


def _name_matches(name: str, options: tuple[str, ...]) -> bool:
    # pytest's `_matches_prefix_or_glob_option`: a plain prefix or an fnmatch glob.
    return any(name.startswith(o) or (any(c in o for c in "*?[") and fnmatch.fnmatch(name, o)) for o in options)


class TestNaming:
    """The project's test naming: which files are test modules, which names are tests."""

    def __init__(
        self,
        files=PYTEST_DEFAULT_FILES,
        classes=PYTEST_DEFAULT_CLASSES,
        functions=PYTEST_DEFAULT_FUNCTIONS,
        testpaths=(),
        globs=(),
        exclude=(),
        source=None,
    ):
        self.files = tuple(files) or PYTEST_DEFAULT_FILES
        self.classes = tuple(classes) or PYTEST_DEFAULT_CLASSES
        self.functions = tuple(functions) or PYTEST_DEFAULT_FUNCTIONS
        self.testpaths = tuple(p.strip("/") for p in testpaths if p.strip("/") not in ("", "."))
        self.globs = tuple(globs)
        self.exclude = tuple(exclude)
        self.source = source

    def _excluded(self, rel: str) -> bool:
        from tg_select import glob_to_regex

        return any(glob_to_regex(g).match(rel) for g in self.exclude)

    def _in_testpaths(self, rel: str) -> bool:
        return any(rel == p or rel.startswith(p + "/") or fnmatch.fnmatch(rel.split("/")[0], p) for p in self.testpaths)

    def is_test_file(self, rel: str) -> bool:
        """A module pytest collects tests from (conftest.py is support code, not a test file)."""
        rel = rel.replace("\\", "/")
        if not rel.endswith(".py") or self._excluded(rel):
            return False
        name = rel.rsplit("/", 1)[-1]
        if name == "conftest.py":
            return False
        # pytest matches a pattern with a path separator against the path, others the basename.
        if any(fnmatch.fnmatch(rel if "/" in p else name, p) for p in self.files):
            return True
        from tg_select import glob_to_regex

        return any(glob_to_regex(g).match(rel) for g in self.globs)

    def is_test_code(self, rel: str) -> bool:
        """Test files plus what supports them: conftest.py and anything under a test directory or testpaths."""
        rel = rel.replace("\\", "/")
        if self._excluded(rel):
            return False
        if self.is_test_file(rel) or rel.rsplit("/", 1)[-1] == "conftest.py":
            return True
        parts = rel.split("/")
        return any(p in TEST_DIR_NAMES for p in parts[:-1]) or self._in_testpaths(rel)

    def is_test_class(self, name: str) -> bool:
        return _name_matches(name, self.classes)

    def is_test_function(self, name: str) -> bool:
        return _name_matches(name, self.functions)

    def pytest_overrides(self) -> list[str]:
        """`-o` options that make the harness's own pytest.ini collect what the project's would."""
        return [
            "-o",
            "python_files=" + " ".join(self.files),
            "-o",
            "python_classes=" + " ".join(self.classes),
            "-o",
            "python_functions=" + " ".join(self.functions),
        ]

    def describe(self) -> dict:
        return {
            "source": self.source or "pytest defaults",
            "pythonFiles": list(self.files),
            "pythonClasses": list(self.classes),
            "pythonFunctions": list(self.functions),
            "testpaths": list(self.testpaths),
        }


DEFAULT = TestNaming()


def load(root: str, globs=(), exclude=()) -> TestNaming:
    """The naming of the repository at `root` (pytest config, else pytest's defaults), plus testgate.yml globs."""
    source, opts = read_pytest_ini(root)
    return TestNaming(
        files=_words(opts.get("python_files")) or PYTEST_DEFAULT_FILES,
        classes=_words(opts.get("python_classes")) or PYTEST_DEFAULT_CLASSES,
        functions=_words(opts.get("python_functions")) or PYTEST_DEFAULT_FUNCTIONS,
        testpaths=_words(opts.get("testpaths")),
        globs=globs,
        exclude=exclude,
        source=source,
    )
