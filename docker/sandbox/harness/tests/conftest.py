"""Unit tests of the harness's analysis modules; they import the harness from the parent dir."""

import os
import sys
import textwrap

import pytest

HARNESS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if HARNESS not in sys.path:
    sys.path.insert(0, HARNESS)


def write_tree(root, files):
    """files: {relative path: text}; text is dedented."""
    root.mkdir(parents=True, exist_ok=True)
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"))
    return root


@pytest.fixture
def trees(tmp_path):
    """Build base/ and head/ trees: trees(base_files, head_files) -> (base, head) as str."""

    def build(base_files, head_files):
        base = write_tree(tmp_path / "base", base_files)
        head = write_tree(tmp_path / "head", head_files)
        return str(base), str(head)

    return build
