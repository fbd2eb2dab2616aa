import os

import pytest

import tg_protocol
from tg_project import environment_paths


def test_site_dirs_and_pth_path_lines_never_import_lines(tmp_path):
    site = tmp_path / "env" / "site"
    (site / "extra").mkdir(parents=True)
    (site / "a.pth").write_text("# comment\nextra\nimport os; os.system('boom')\n../../outside\nmissing\n")
    request = {"environment": {"paths": [str(site), str(tmp_path / "env" / "nope")]}}
    paths = environment_paths(request, root=str(tmp_path / "env") + os.sep)
    # The import line is code and is never run; a line leading out of the volume is dropped.
    assert paths == [str(site), str(site / "extra")]


def test_no_environment_means_no_paths():
    assert environment_paths({}) == []
    assert environment_paths({"environment": {"paths": []}}) == []


def _request(environment):
    return ('{"protocol": 1, "mode": "evaluate", "nonce": "abcdef123456", "environment": %s}' % environment).encode()


def test_request_environment_paths_must_be_under_env():
    assert tg_protocol.parse_request(_request('{"paths": ["/env/site"]}'))["environment"] == {"paths": ["/env/site"]}
    assert tg_protocol.parse_request(_request('{}'))["environment"] == {"paths": []}
    with pytest.raises(tg_protocol.ProtocolError, match="environment.paths"):
        tg_protocol.parse_request(_request('{"paths": ["/usr/lib/python3/dist-packages"]}'))


def test_pytest_plugins_of_the_environment_are_listed_by_module(tmp_path):
    site = tmp_path / "site"
    for dist, text in {
        "pytest_mock-3.16.0.dist-info": "[pytest11]\npytest_mock = pytest_mock\n",
        "pytest_asyncio-1.0.dist-info": "[console_scripts]\nx = y:z\n[pytest11]\nasyncio = pytest_asyncio.plugin:main\n",
        "pytest_cov-5.0.dist-info": "[pytest11]\npytest_cov = pytest_cov.plugin\n",
        "plain-1.0.dist-info": "",
        "bad-1.0.dist-info": "[pytest11]\nx = not a module!\n",
    }.items():
        (site / dist).mkdir(parents=True)
        if text:
            (site / dist / "entry_points.txt").write_text(text)
    from tg_project import environment_plugins

    assert environment_plugins([str(site)]) == ["pytest_asyncio.plugin", "pytest_mock"]
