"""The plugin template and `python -m apportion plugin new|build|list`: a
third party's path from nothing to a scored KPI.

The template is made into a plugin, built and tested in a folder of its
own, its generated tests run in a fresh process (a plugin once loaded stays
loaded), and the built library is then loaded here too.
"""

import os
import stat
import subprocess
import sys

import pandas as pd
import pytest

import apportion
from apportion.plugin import PLUGIN_SUFFIX, plugin_abi
from apportion.plugin_tool import build_plugin, main, new_plugin

NAME, AREA = "myservice", "MYSERVICE"


def run(*args, cwd):
    """Runs `python -m apportion ARGS` in cwd, away from any plugin folders
    the caller's environment names."""
    env = {k: v for k, v in os.environ.items() if k != "APPORTION_PLUGIN_PATH"}
    return subprocess.run([sys.executable, "-m", "apportion", *args], cwd=cwd,
                          env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """A plugin made by `plugin new` and built by `plugin build`."""
    root = tmp_path_factory.mktemp("plugins")
    new = run("plugin", "new", NAME, cwd=root)
    assert new.returncode == 0, new.stderr
    build = run("plugin", "build", NAME, cwd=root)
    assert build.returncode == 0, build.stdout + build.stderr
    return root / NAME, new, build


def test_new_writes_the_template_renamed(made):
    folder, new, _ = made
    names = sorted(str(p.relative_to(folder)) for p in folder.rglob("*")
                   if p.is_file())
    assert names == sorted(["Makefile", "MANIFEST.in", "README.md", f"{NAME}.c",
                            f"{NAME}{PLUGIN_SUFFIX}", f"test_{NAME}.py",
                            "pyproject.toml", "setup.py",
                            f"apportion_{NAME}/__init__.py"])
    for name in names:
        if not name.endswith(PLUGIN_SUFFIX):
            text = (folder / name).read_text(encoding="utf-8")
            assert "__NAME__" not in text and "__AREA__" not in text, name
            assert "__APPORTION_VERSION__" not in text, name
    project = (folder / "pyproject.toml").read_text()
    assert f'dependencies = ["apportion>={apportion.__version__}"]' in project
    assert f'[project.entry-points."apportion.plugins"]\n{NAME} = "apportion_{NAME}"' \
        in project
    source = (folder / f"{NAME}.c").read_text()
    assert f'.name = "{NAME}"' in source
    assert f'.service_area = "{AREA}"' in source
    assert "make test" in new.stdout


def test_build_prints_the_command_and_restricts_the_library(made):
    folder, _, build = made
    command = build.stdout.splitlines()[0]
    for flag in ("-std=c11", "-fPIC", "-shared", "-fvisibility=hidden",
                 f"-I{apportion.get_include()}", f"{NAME}.c"):
        assert flag in command
    library = folder / f"{NAME}{PLUGIN_SUFFIX}"
    assert library.is_file()
    assert not library.stat().st_mode & stat.S_IWOTH


def test_generated_tests_pass_in_a_fresh_process(made):
    folder, _, _ = made
    env = {k: v for k, v in os.environ.items() if k != "APPORTION_PLUGIN_PATH"}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         f"test_{NAME}.py"], cwd=folder, env=env, capture_output=True,
        text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "failed" not in result.stdout and "skipped" not in result.stdout


def test_the_template_uses_the_init_macros(made):
    # AP_PLUGIN_HOST_DECLARE and AP_PLUGIN_DEFINE write the entry points
    # (tests/test_plugin_macros.py tests them, and the template as it was
    # before them); the library exports those two and nothing else.
    folder, _, _ = made
    source = (folder / f"{NAME}.c").read_text()
    assert "AP_PLUGIN_HOST_DECLARE(host);" in source
    assert source.rstrip().endswith("AP_PLUGIN_DEFINE(info, register_all);")
    assert "apportion_plugin_init(" not in source
    assert "apportion_plugin_info(" not in source
    symbols = subprocess.run(["nm", "-D", "--defined-only",
                              str(folder / f"{NAME}{PLUGIN_SUFFIX}")],
                             capture_output=True, text=True, check=True)
    exported = {line.split()[-1] for line in symbols.stdout.splitlines()
                if line.strip() and not line.split()[-1].startswith("_")}
    assert exported == {"apportion_plugin_info", "apportion_plugin_init"}


def test_loads_and_scores_in_process(made):
    folder, _, _ = made
    info = apportion.load_plugin(folder / f"{NAME}{PLUGIN_SUFFIX}")
    assert (info.name, info.service_area, info.version) == (NAME, AREA, "0.1.0")
    assert info.abi == plugin_abi()
    assert NAME in [p.name for p in apportion.plugins()]
    area = apportion.service_area(AREA)
    kpi = area.kpis[f"{AREA}1"]
    assert kpi.measure == "answered_within_working_days"
    # The council's wording: 95 goes to Green, 85 to Amber.
    assert [kpi.score(v) for v in (100, 95, 94.99, 85, 84.99)] == \
        ["green", "green", "amber", "amber", "red"]
    records = pd.DataFrame({
        "received": pd.to_datetime(["2024-03-04"] * 4),
        # 10, 10, 11 and 10 working days
        "answered": pd.to_datetime(["2024-03-18", "2024-03-18", "2024-03-19",
                                    "2024-03-18"]),
        "team": ["north", "north", "south", "south"],
    })
    card = area.score(f"{AREA}1", records, by="team")
    assert card.frame["rag"].tolist() == ["green", "red"]
    assert area.recharge("monthly", 1200, instalments=12) == [100] * 12


def test_new_refuses_a_bad_name(tmp_path):
    for bad in ("1service", "My_Service", "my-service", "a" * 65, ""):
        with pytest.raises(apportion.PluginError, match="cannot be a plugin name"):
            new_plugin(bad, tmp_path)
    with pytest.raises(apportion.PluginError, match="--area"):
        new_plugin("a" * 33, tmp_path)
    with pytest.raises(apportion.PluginError, match="service area code"):
        new_plugin("ok", tmp_path, area="lower")
    result = run("plugin", "new", "Bad-Name", cwd=tmp_path)
    assert result.returncode == 2
    assert "'Bad-Name' cannot be a plugin name" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_new_refuses_an_existing_folder(tmp_path):
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "notes.txt").write_text("mine")
    result = run("plugin", "new", "taken", cwd=tmp_path)
    assert result.returncode == 2
    assert "already exists" in result.stderr
    assert [p.name for p in (tmp_path / "taken").iterdir()] == ["notes.txt"]
    (tmp_path / "file").write_text("")
    with pytest.raises(apportion.PluginError, match="already exists"):
        new_plugin("file", tmp_path)
    # An empty folder is fine, and --dir says where.
    (tmp_path / "sub" / "empty").mkdir(parents=True)
    assert main(["new", "empty", "--dir", str(tmp_path / "sub"),
                 "--area", "EMPTY_AREA"]) == 0
    source = (tmp_path / "sub" / "empty" / "empty.c").read_text()
    assert '.service_area = "EMPTY_AREA"' in source


def test_build_reports_the_compiler_error(tmp_path, capsys):
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "broken.c").write_text(
        '#include "apportion/plugin.h"\nint broken(void) { return 1 }\n')
    with pytest.raises(apportion.PluginError) as caught:
        build_plugin(folder)
    message = str(caught.value)
    assert "broken.c:2" in message and "error" in message
    assert not (folder / f"broken{PLUGIN_SUFFIX}").exists()
    status = main(["build", str(folder)])
    assert status not in (0, 2)  # the compiler's own exit status
    assert "broken.c:2" in capsys.readouterr().err


def test_build_names_and_restricts_the_output(tmp_path):
    folder = new_plugin("named", tmp_path)
    old = os.umask(0)
    try:
        library = build_plugin(folder)
        other = build_plugin(folder, output=tmp_path / "other.so")
    finally:
        os.umask(old)
    assert library == folder / f"named{PLUGIN_SUFFIX}"
    assert other == tmp_path / "other.so"
    for path in (library, other):
        assert not path.stat().st_mode & stat.S_IWOTH


def test_build_refuses_a_folder_without_c(tmp_path):
    with pytest.raises(apportion.PluginError, match="no .c files"):
        build_plugin(tmp_path)
    with pytest.raises(apportion.PluginError, match="is not a folder"):
        build_plugin(tmp_path / "missing")


def test_list_shows_the_first_party_plugins(tmp_path):
    result = run("plugin", "list", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split()[:2] == ["name", "service"]
    listed = {line.split()[0] for line in lines[1:]}
    assert {"iass", "nct", "transformation"} <= listed
