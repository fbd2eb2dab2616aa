import os

from conftest import write_tree
from tg_project import detect_project, module_name


def test_flat_layout_with_package_and_module(tmp_path):
    head = write_tree(
        tmp_path / "h",
        {
            "calc/__init__.py": "",
            "calc/ops.py": "def add(a, b): return a + b\n",
            "util.py": "X = 1\n",
            "setup.py": "from setuptools import setup\nsetup()\n",
            "conftest.py": "",
            "tests/__init__.py": "",
            "tests/test_ops.py": "",
            "docs/__init__.py": "",
            "test_top.py": "",
        },
    )
    project = detect_project(str(head))
    assert project["layout"] == "flat"
    # A loose module next to a package is not probed (maintainer scripts live there); it stays
    # importable from the head root.
    assert project["packages"] == ["calc"]
    assert project["import_roots"] == [str(head)]


def test_src_layout_detected_without_config(tmp_path):
    head = write_tree(tmp_path / "h", {"src/shop/__init__.py": "", "src/shop/cart.py": "", "tests/test_cart.py": ""})
    project = detect_project(str(head))
    assert project["layout"] == "src"
    assert project["packages"] == ["shop"]
    assert project["import_roots"] == [os.path.join(str(head), "src"), str(head)]


def test_pyproject_setuptools_package_dir(tmp_path):
    head = write_tree(
        tmp_path / "h",
        {
            "pyproject.toml": '[tool.setuptools]\npackage-dir = {"" = "lib"}\n',
            "lib/geo/__init__.py": "",
        },
    )
    project = detect_project(str(head))
    assert project["layout"] == "src"
    assert project["packages"] == ["geo"]
    assert project["import_roots"][0] == os.path.join(str(head), "lib")


def test_pyproject_packages_find_where(tmp_path):
    head = write_tree(
        tmp_path / "h",
        {
            "pyproject.toml": '[tool.setuptools.packages.find]\nwhere = ["code"]\n',
            "code/app/__init__.py": "",
        },
    )
    assert detect_project(str(head))["import_roots"][0] == os.path.join(str(head), "code")


def test_poetry_packages_from(tmp_path):
    head = write_tree(
        tmp_path / "h",
        {
            "pyproject.toml": '[tool.poetry]\nname = "x"\npackages = [{include = "pkg", from = "source"}]\n',
            "source/pkg/__init__.py": "",
        },
    )
    project = detect_project(str(head))
    assert project["packages"] == ["pkg"]
    assert project["import_roots"][0] == os.path.join(str(head), "source")


def test_hatch_wheel_packages(tmp_path):
    head = write_tree(
        tmp_path / "h",
        {
            "pyproject.toml": '[tool.hatch.build.targets.wheel]\npackages = ["src/hpkg"]\n',
            "src/hpkg/__init__.py": "",
        },
    )
    project = detect_project(str(head))
    assert project["layout"] == "src" and project["packages"] == ["hpkg"]


def test_setup_py_package_dir_is_parsed_not_executed(tmp_path):
    marker = tmp_path / "executed"
    head = write_tree(
        tmp_path / "h",
        {
            "setup.py": f"""
            from setuptools import setup, find_packages
            open({str(marker)!r}, "w").write("ran")
            setup(name="x", package_dir={{"": "python"}}, packages=find_packages("python"))
        """,
            "python/mylib/__init__.py": "",
        },
    )
    project = detect_project(str(head))
    assert not marker.exists()
    assert project["layout"] == "src"
    assert project["packages"] == ["mylib"]
    assert project["import_roots"] == [os.path.join(str(head), "python"), str(head)]


def test_setup_cfg_package_dir(tmp_path):
    head = write_tree(
        tmp_path / "h",
        {
            "setup.cfg": "[options]\npackage_dir =\n    =src\n",
            "src/cfgpkg/__init__.py": "",
        },
    )
    project = detect_project(str(head))
    assert project["layout"] == "src" and project["packages"] == ["cfgpkg"]


def test_config_dir_escaping_head_is_ignored(tmp_path):
    head = write_tree(
        tmp_path / "h",
        {
            "pyproject.toml": '[tool.setuptools]\npackage-dir = {"" = "../../etc"}\n',
            "mod.py": "",
        },
    )
    project = detect_project(str(head))
    assert project["layout"] == "flat"
    assert project["import_roots"] == [str(head)]


def test_empty_tree_is_unknown(tmp_path):
    head = write_tree(tmp_path / "h", {"README.md": "hi"})
    assert detect_project(str(head))["layout"] == "unknown"


def test_broken_pyproject_does_not_crash(tmp_path):
    head = write_tree(tmp_path / "h", {"pyproject.toml": "[tool.setuptools\n", "m.py": ""})
    assert detect_project(str(head))["packages"] == ["m"]


def test_module_name_uses_deepest_root(tmp_path):
    head = str(tmp_path)
    roots = [os.path.join(head, "src"), head]
    assert module_name(head, "src/shop/cart.py", roots) == "shop.cart"
    assert module_name(head, "src/shop/__init__.py", roots) == "shop"
    assert module_name(head, "util.py", roots) == "util"


def test_pytest_ini_pythonpath(tmp_path):
    head = write_tree(tmp_path / "h", {"pytest.ini": "[pytest]\npythonpath = lib\n", "lib/inipkg/__init__.py": ""})
    project = detect_project(str(head))
    assert project["packages"] == ["inipkg"]
    assert project["import_roots"] == [os.path.join(str(head), "lib"), str(head)]
