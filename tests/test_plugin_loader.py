"""The plugin loader against its contract (include/apportion/registry.h).

Every way a plugin file can be wrong is built here for real: C source
written into pytest's tmp_path (0700, so no one else can write to it) and
compiled with cc into a shared library, or bytes written into a file named
.so.  Each is handed to apportion.load_plugin, which must refuse it with a
PluginError whose message names the file and what was wrong, and leave the
registry exactly as it was: apportion.plugins() lists the same plugins
before and after, and the refused plugin's service area is not there.

The registry is process-wide and a plugin is never unloaded, so every test
makes its own plugin names and service area codes from its own name.
"""

import itertools
import json
import os
import random
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import apportion
from apportion import PluginError, PluginWarning
from apportion.plugin import plugin_abi

_serial = itertools.count()


# ---- making plugins -----------------------------------------------------------


def unique(request, prefix="ld"):
    """(plugin name, service area code) unique in this process, made from
    the test's name: 'ld3_wrong_abi_major', 'LD3_WRONG_ABI_MAJOR'."""
    base = re.sub(r"[^a-z0-9]+", "_", request.node.name.lower()).strip("_")
    base = base[len("test_"):] if base.startswith("test_") else base
    # Service area codes are at most 32 characters; leave room for "_A".
    name = f"{prefix}{next(_serial)}_{base}"[:28].rstrip("_")
    return name, name.upper()


def c_string(value):
    """A C expression for a metadata field: a string literal or NULL."""
    if value is None:
        return "NULL"
    return json.dumps(value)  # ASCII only here, so JSON's escapes are C's


def plugin_source(name, service_area, *, version="1.0.0",
                  description="A plugin built by the loader tests",
                  licence="MIT", url=None, size="sizeof(ap_plugin_info)",
                  major="AP_PLUGIN_ABI_MAJOR", minor="AP_PLUGIN_ABI_MINOR",
                  top="", init_body="", info_return="&info", with_init=True):
    """C source of a plugin: its info block, apportion_plugin_info (which
    returns info_return) and, unless with_init is false,
    apportion_plugin_init running init_body and then returning AP_OK."""
    init = ""
    if with_init:
        init = f"""
AP_PLUGIN_EXPORT ap_status apportion_plugin_init(const ap_host *host,
                                                 ap_registrar *reg,
                                                 char **error_message)
{{
    (void)host;
    (void)reg;
    (void)error_message;
{textwrap.indent(textwrap.dedent(init_body).strip(), "    ")}
    return AP_OK;
}}
"""
    return f"""\
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "apportion/plugin.h"

static const ap_plugin_info info = {{
    .size = {size},
    .abi_major = {major},
    .abi_minor = {minor},
    .name = {c_string(name)},
    .version = {c_string(version)},
    .service_area = {c_string(service_area)},
    .description = {c_string(description)},
    .licence = {c_string(licence)},
    .url = {c_string(url)},
}};

{textwrap.dedent(top)}

AP_PLUGIN_EXPORT const ap_plugin_info *apportion_plugin_info(void)
{{
    (void)info;
    return {info_return};
}}
{init}"""


# A measure function that leaves every row out, for registrations.
NOTHING_MEASURE = """
static ap_status nothing(void *user, const ap_measure_input *in, size_t from,
                         size_t to, int64_t *numerator, int64_t *denominator,
                         ap_error *err)
{
    (void)user;
    (void)in;
    (void)err;
    for (size_t r = from; r < to; r++) {
        numerator[r - from] = 0;
        denominator[r - from] = 0;
    }
    return AP_OK;
}
"""


def kpi_json(ref, measure=None):
    """KPI file text with one percentage KPI, as a C string literal."""
    doc = {
        "format": "apportion.kpis/1",
        "title": "Loader test KPIs",
        "kpis": [{
            "ref": ref,
            "description": "% of things done in time",
            "unit": "%",
            "polarity": "higher",
            "target": "90%",
            "bands": [
                {"rag": "green", "lower": "90", "lower_inclusive": True},
                {"rag": "amber", "lower": "80", "lower_inclusive": True,
                 "upper": "90", "upper_inclusive": False},
                {"rag": "red", "upper": "80", "upper_inclusive": False},
            ],
        }],
    }
    if measure is not None:
        doc["kpis"][0]["measure"] = measure
    return json.dumps(json.dumps(doc))


def names_file(message, path):
    """The message names the file: as given, absolute or resolved."""
    candidates = {str(path), os.path.abspath(path), os.path.realpath(path)}
    assert any(c in message for c in candidates), \
        f"the message does not name the file {path}: {message!r}"


def without_path(message, path):
    """The message with the file's names taken out, so that what it says
    about the fault is not matched by chance in a folder name."""
    for c in sorted({str(path), os.path.abspath(path), os.path.realpath(path)},
                    key=len, reverse=True):
        message = message.replace(c, "<file>")
    return message


def refused(path, *patterns, area=None):
    """Loads path, expecting a PluginError that names the file and matches
    every pattern (regular expressions, case-insensitive, searched in the
    message without the file's name); the registry must be unchanged.
    Returns the message."""
    before = apportion.plugins()
    with pytest.raises(PluginError) as e:
        apportion.load_plugin(path)
    after = apportion.plugins()
    assert after == before, "a refused load changed apportion.plugins()"
    message = str(e.value)
    names_file(message, path)
    rest = without_path(message, path)
    for p in patterns:
        assert re.search(p, rest, re.I), \
            f"expected {p!r} in the loader's message: {message!r}"
    if area is not None:
        assert_no_area(area)
    return message


def assert_no_area(area):
    assert area not in {p.service_area for p in apportion.plugins()}
    with pytest.raises(PluginError):
        apportion.service_area(area)


# ---- files that are not plugins at all ---------------------------------------

NOT_A_LIBRARY = r"shared librar|dlopen|\bELF\b|too short|invalid"


@pytest.mark.parametrize("kind", ["random", "random_after_elf_magic", "text", "empty"])
def test_not_a_shared_library(kind, tmp_path):
    rnd = random.Random(f"apportion-{kind}")
    content = {
        "random": bytes(rnd.getrandbits(8) for _ in range(8192)),
        "random_after_elf_magic": b"\x7fELF" + bytes(rnd.getrandbits(8)
                                                    for _ in range(8188)),
        "text": b"This is not a plugin.\nIt is a text file named .so.\n",
        "empty": b"",
    }[kind]
    path = tmp_path / f"{kind}.so"
    path.write_bytes(content)
    path.chmod(0o644)
    refused(path, NOT_A_LIBRARY)


def test_path_that_does_not_exist(tmp_path):
    path = tmp_path / "nowhere" / "missing.so"
    refused(path, r"exist|no such|not found|missing|cannot")


def test_folder_is_not_a_plugin(tmp_path):
    folder = tmp_path / "folder.so"
    folder.mkdir()
    refused(folder, r"regular file|directory|folder|not a file|shared librar")


def test_shared_library_without_info(build, tmp_path):
    path = build("int not_a_plugin(void);\nint not_a_plugin(void) { return 1; }\n",
                 "noinfo")
    refused(path, r"apportion_plugin_info")


def test_info_but_no_init(request, build):
    name, area = unique(request)
    path = build(plugin_source(name, area, with_init=False), "noinit")
    refused(path, r"apportion_plugin_init", area=area)


def test_info_returns_null(request, build):
    name, area = unique(request)
    path = build(plugin_source(name, area, info_return="NULL"), "nullinfo")
    refused(path, r"apportion_plugin_info|null|no info", area=area)


@pytest.mark.parametrize("size", ["0", "offsetof(ap_plugin_info, name)",
                                  "offsetof(ap_plugin_info, licence)",
                                  "AP_PLUGIN_INFO_SIZE_1_0 - 1"])
def test_info_size_too_small(size, request, build):
    name, area = unique(request)
    path = build(plugin_source(name, area, size=size), "small")
    # Says how large the block is and how large it must be at least.
    refused(path, r"size|small|short|fewer", r"\b\d+ bytes\b", area=area)


def test_wrong_abi_major(request, build):
    major, minor = plugin_abi()
    name, area = unique(request)
    path = build(plugin_source(name, area, major="2"), "major2")
    # Both sides' versions named.
    refused(path, r"\babi\b", rf"\b2\.{minor}\b", rf"\b{major}\.{minor}\b", area=area)


def test_newer_abi_minor_than_host(request, build):
    major, minor = plugin_abi()
    name, area = unique(request)
    path = build(plugin_source(name, area, minor=str(minor + 1)), "minor_next")
    refused(path, r"\babi\b", rf"\b{major}\.{minor + 1}\b", rf"\b{major}\.{minor}\b",
            area=area)


# ---- metadata -------------------------------------------------------------------

METADATA_CASES = {
    "name_null": ("name", None, r"\bname\b"),
    "name_upper_case": ("name", "Bad_Name", r"\bname\b"),
    "version_empty": ("version", "", r"\bversion\b"),
    "service_area_lower_case": ("service_area", "lower", r"service[_ ]area"),
    "description_null": ("description", None, r"\bdescription\b"),
    "licence_null": ("licence", None, r"\blicen[cs]e\b"),
}


@pytest.mark.parametrize("case", list(METADATA_CASES))
def test_missing_or_malformed_metadata(case, request, build):
    field, value, pattern = METADATA_CASES[case]
    name, area = unique(request)
    if field == "service_area" and value == "lower":
        value = area.lower()  # lower-case letters in a service area code
    fields = {"name": name, "service_area": area, field: value}
    path = build(plugin_source(**fields), "meta")
    refused(path, pattern, area=area)
    assert name not in {p.name for p in apportion.plugins()}
    if field == "service_area":
        assert_no_area(value)


# ---- init ------------------------------------------------------------------------


def test_init_failure_shows_the_plugins_own_message(request, build):
    name, area = unique(request)
    path = build(plugin_source(name, area, init_body="""
        *error_message = host->strdup("the tariff table is missing (code 7)");
        return AP_E_INPUT;
    """), "initfail")
    refused(path, re.escape("the tariff table is missing (code 7)"), area=area)
    assert name not in {p.name for p in apportion.plugins()}


def test_init_failure_without_a_message(request, build):
    name, area = unique(request)
    path = build(plugin_source(name, area, init_body="return AP_E_PLUGIN;"),
                 "initfail_silent")
    refused(path, r"init", area=area)


GOOD_MEASURE = """
    {
        ap_error ok_err = {0};
        ap_measure_def good = {.size = sizeof good, .name = "good_measure",
                               .description = "registered before the bad one",
                               .columns = "a", .scale = 100, .flags = 0,
                               .fn = nothing, .user = NULL};
        if (host->register_measure(reg, &good, &ok_err) != AP_OK) {
            *error_message = host->strdup(ok_err.message);
            return ok_err.status;
        }
    }
"""

BAD_REGISTRATIONS = {
    # case: (extra top-level C, init body ignoring the error, patterns)
    "measure_scale_0": ("", """
        ap_error err = {0};
        ap_measure_def def = {.size = sizeof def, .name = "scaled_by_nothing",
                              .description = "scale 0", .columns = "a",
                              .scale = 0, .flags = 0, .fn = nothing,
                              .user = NULL};
        (void)host->register_measure(reg, &def, &err);
    """, [r"scaled_by_nothing", r"\bscale\b"]),
    "measure_null_fn": ("", """
        ap_error err = {0};
        ap_measure_def def = {.size = sizeof def, .name = "no_function",
                              .description = "NULL fn", .columns = "a",
                              .scale = 100, .flags = 0, .fn = NULL,
                              .user = NULL};
        (void)host->register_measure(reg, &def, &err);
    """, [r"no_function", r"\bfn\b|function"]),
    "kpi_json_syntax_error": ("", """
        ap_error err = {0};
        (void)host->register_kpis(reg, "{\\"format\\": \\"apportion.kpis/1\\", "
                                       "\\"kpis\\": [ {\\"ref\\": \\"X1\\",,} ]",
                                  &err);
    """, [r"kpi|json"]),
    "calculator_unknown_type": ("""
        static int64_t identity(int64_t a, ap_error *err)
        {
            (void)err;
            return a;
        }
    """, """
        ap_error err = {0};
        ap_calculator_def def = {.size = sizeof def, .name = "in_pounds",
                                 .signature = "money(pounds)",
                                 .description = "an unknown type",
                                 .fn = AP_CALCULATOR_FN(identity)};
        (void)host->register_calculator(reg, &def, &err);
    """, [r"in_pounds", r"pounds"]),
    "measure_registered_twice": ("", """
        ap_error err = {0};
        ap_measure_def again = {.size = sizeof again, .name = "good_measure",
                                .description = "the same name again",
                                .columns = "a", .scale = 1, .flags = 0,
                                .fn = nothing, .user = NULL};
        (void)host->register_measure(reg, &again, &err);
    """, [r"good_measure", r"twice|already"]),
    "kpi_names_unregistered_measure": ("", f"""
        ap_error err = {{0}};
        (void)host->register_kpis(reg, {kpi_json("NOMEASURE1", "not_there")},
                                  &err);
    """, [r"NOMEASURE1", r"not_there"]),
}


@pytest.mark.parametrize("case", list(BAD_REGISTRATIONS))
def test_bad_registration_refused_even_when_init_returns_ok(case, request, build,
                                                            tmp_path):
    top, body, patterns = BAD_REGISTRATIONS[case]
    name, area = unique(request)
    path = build(plugin_source(name, area, top=NOTHING_MEASURE + top,
                               init_body=GOOD_MEASURE + body), "badreg")
    refused(path, *patterns, area=area)
    assert name not in {p.name for p in apportion.plugins()}

    # Nothing of it stayed: the same name and area load from a fixed file,
    # with only what that file registers.
    fixed = build(plugin_source(name, area, top=NOTHING_MEASURE,
                                init_body=GOOD_MEASURE), "fixed")
    info = apportion.load_plugin(fixed)
    assert (info.name, info.service_area) == (name, area)
    a = apportion.service_area(area)
    assert set(a.measures) == {"good_measure"}
    assert a.calculators == {} and a.kpis == {}


LATE_TOP = """
static const ap_host *saved_host;
static ap_registrar *saved_reg;

/* Registers a measure long after init returned, through the registrar
 * init was given. */
static int64_t late_register(ap_error *err)
{
    ap_measure_def def = {.size = sizeof def, .name = "late_measure",
                          .description = "after init", .columns = "a",
                          .scale = 100, .flags = 0, .fn = nothing,
                          .user = NULL};
    return (int64_t)saved_host->register_measure(saved_reg, &def, err);
}

/* Warns after init; returns the status. */
static int64_t late_warn(ap_error *err)
{
    (void)err;
    return (int64_t)saved_host->warn(saved_reg, "too late to warn");
}
"""

LATE_BODY = """
    ap_error err = {0};
    ap_calculator_def reg_def = {.size = sizeof reg_def,
                                 .name = "late_register",
                                 .signature = "int64()",
                                 .description = "registers after init",
                                 .fn = AP_CALCULATOR_FN(late_register)};
    ap_calculator_def warn_def = {.size = sizeof warn_def,
                                  .name = "late_warn",
                                  .signature = "int64()",
                                  .description = "warns after init",
                                  .fn = AP_CALCULATOR_FN(late_warn)};
    saved_host = host;
    saved_reg = reg;
    if (host->register_calculator(reg, &reg_def, &err) != AP_OK ||
        host->register_calculator(reg, &warn_def, &err) != AP_OK) {
        *error_message = host->strdup(err.message);
        return err.status;
    }
"""


def test_registration_after_init_is_refused(request, build):
    name, area = unique(request)
    path = build(plugin_source(name, area, top=NOTHING_MEASURE + LATE_TOP,
                               init_body=LATE_BODY), "late")
    info = apportion.load_plugin(path)
    a = apportion.service_area(area)
    with pytest.raises(apportion.ApportionError, match=r"after init"):
        a.call("late_register")
    assert a.measures == {}
    assert a.call("late_warn") != 0  # a status other than AP_OK
    assert apportion.service_area(area).plugin.warnings == ()
    assert apportion.plugins().count(info) == 1


# ---- clashes with what is loaded -------------------------------------------------


def test_service_area_already_loaded_from_another_file(request, build, tmp_path):
    name, area = unique(request)
    first = build(plugin_source(name + "_a", area), "first")
    info = apportion.load_plugin(first)
    second = build(plugin_source(name + "_b", area), "second")
    refused(second, re.escape(area))
    assert apportion.service_area(area).plugin == info
    assert name + "_b" not in {p.name for p in apportion.plugins()}


def test_plugin_name_already_loaded_from_another_file(request, build):
    name, area = unique(request)
    first = build(plugin_source(name, area + "_A"), "first")
    apportion.load_plugin(first)
    second = build(plugin_source(name, area + "_B"), "second")
    refused(second, re.escape(name), area=area + "_B")
    assert [p.service_area for p in apportion.plugins() if p.name == name] == [area + "_A"]


def test_kpi_ref_registered_twice(request, build):
    name, area = unique(request)
    ref = f"DUP1_{area}"
    body = f"""
        ap_error err = {{0}};
        if (host->register_kpis(reg, {kpi_json(ref)}, &err) != AP_OK) {{
            *error_message = host->strdup(err.message);
            return err.status;
        }}
    """
    first = build(plugin_source(name + "_a", area + "_A", init_body=body), "first")
    apportion.load_plugin(first)
    assert list(apportion.service_area(area + "_A").kpis) == [ref]
    second = build(plugin_source(name + "_b", area + "_B", init_body=body), "second")
    refused(second, re.escape(ref), area=area + "_B")
    assert list(apportion.service_area(area + "_A").kpis) == [ref]


# ---- the same file again ------------------------------------------------------------


@pytest.mark.parametrize("how", ["same_path", "symlink", "hard_link", "relative_path"])
def test_same_file_twice_is_the_first_load(how, request, build, tmp_path,
                                           monkeypatch):
    name, area = unique(request)
    path = build(plugin_source(name, area), "twice")
    first = apportion.load_plugin(path)
    listed = apportion.plugins()
    assert listed.count(first) == 1
    if how == "same_path":
        again = path
    elif how == "symlink":
        again = tmp_path / "link.so"
        again.symlink_to(path)
    elif how == "hard_link":
        again = tmp_path / "hard.so"
        os.link(path, again)
    else:
        monkeypatch.chdir(tmp_path)
        again = Path(".") / path.name
    second = apportion.load_plugin(again)
    assert second == first
    assert apportion.plugins() == listed


# ---- who may write the file -------------------------------------------------------


def test_file_writable_by_others(request, build):
    name, area = unique(request)
    path = build(plugin_source(name, area), "open_file")
    path.chmod(0o646)
    refused(path, r"writ", r"other|world", area=area)
    # Refused before anything was loaded: once fixed, it loads.
    path.chmod(0o644)
    assert apportion.load_plugin(path).name == name


def test_folder_writable_by_others(request, build, tmp_path):
    name, area = unique(request)
    folder = tmp_path / "shared"
    path = build(plugin_source(name, area), "in_open_folder", folder=folder)
    folder.chmod(0o777)
    try:
        refused(path, r"writ", r"other|world", r"folder|director", area=area)
    finally:
        folder.chmod(0o755)
    assert apportion.load_plugin(path).name == name


def test_group_writable_file_is_not_others(request, build):
    # Only "others" is named by the contract; a group-writable file in a
    # private folder is the owner's business.
    name, area = unique(request)
    path = build(plugin_source(name, area), "group_file")
    path.chmod(0o664)
    assert apportion.load_plugin(path).name == name


# ---- what does load ------------------------------------------------------------------


def test_good_plugin_loads_and_is_listed(request, build):
    name, area = unique(request)
    path = build(plugin_source(name, area, version="2.3.4",
                               description="one line", licence="Apache-2.0",
                               url="https://example.org/plugin"), "good")
    before = apportion.plugins()
    info = apportion.load_plugin(path)
    assert (info.name, info.version, info.service_area, info.description,
            info.licence, info.url) == (name, "2.3.4", area, "one line",
                                        "Apache-2.0", "https://example.org/plugin")
    assert info.abi == plugin_abi()
    assert os.path.samefile(info.path, path)
    assert info.warnings == ()
    assert apportion.plugins() == [*before, info]
    assert apportion.service_area(area).plugin == info


ABI_1_0_TOP = """
/* An info block as a plugin built against ABI 1.0 saw it: no url. */
struct info_1_0 {
    size_t size;
    uint32_t abi_major;
    uint32_t abi_minor;
    const char *name;
    const char *version;
    const char *service_area;
    const char *description;
    const char *licence;
};
_Static_assert(sizeof(struct info_1_0) == AP_PLUGIN_INFO_SIZE_1_0,
               "the 1.0 block ends after licence");

/* What follows the block in memory looks like a url: a host that read
 * past `size` would list it. */
static const struct {
    struct info_1_0 info;
    const char *past_the_end;
} block = {
    {AP_PLUGIN_INFO_SIZE_1_0, 1, 0, NAME, "1.0.0", AREA,
     "built against ABI 1.0", "MIT"},
    "https://read.past.the.end/of-the-info-block",
};
_Static_assert(offsetof(ap_plugin_info, url) == AP_PLUGIN_INFO_SIZE_1_0,
               "url follows licence");
"""


def test_abi_1_0_plugin_loads(request, build):
    name, area = unique(request)
    top = ABI_1_0_TOP.replace("NAME", json.dumps(name)).replace("AREA", json.dumps(area))
    path = build(plugin_source(name, area, top=top,
                               info_return="(const ap_plugin_info *)&block.info"),
                 "abi10")
    info = apportion.load_plugin(path)
    assert info.abi == (1, 0)
    assert info.url is None
    assert (info.name, info.service_area, info.description) == \
        (name, area, "built against ABI 1.0")
    assert info in apportion.plugins()


def test_host_warn_is_a_plugin_warning(request, build):
    name, area = unique(request)
    path = build(plugin_source(name, area, init_body="""
        if (AP_HOST_HAS(host, warn))
            host->warn(reg, "column %s is %d days behind", "received", 3);
    """), "warns")
    with pytest.warns(PluginWarning) as caught:
        info = apportion.load_plugin(path)
    texts = [str(w.message) for w in caught if issubclass(w.category, PluginWarning)]
    assert any("column received is 3 days behind" in t and name in t for t in texts), texts
    assert info.warnings == ("column received is 3 days behind",)
    # Loading it again is the first load: no second warning.
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error", PluginWarning)
        assert apportion.load_plugin(path) == info


def test_non_path_argument_is_a_type_error():
    with pytest.raises(TypeError):
        apportion.load_plugin(42)


# ---- discovery through APPORTION_PLUGIN_PATH ------------------------------------------

DISCOVERY_SCRIPT = r"""
import json, warnings
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    import apportion
    import apportion.plugin
    listed = apportion.plugins()
    failures = apportion.plugin.load_failures()
print(json.dumps({
    "plugins": [[p.name, p.service_area, p.path] for p in listed],
    "warnings": [[w.category.__name__, str(w.message)] for w in caught],
    "failures": failures,
}))
"""


def test_plugin_path_discovery_in_a_fresh_interpreter(request, build, tmp_path):
    name, area = unique(request)
    folder = tmp_path / "plugins"
    folder.mkdir(mode=0o755)
    good = build(plugin_source(name, area), "good", folder=folder)
    bad = folder / "bad.so"
    bad.write_bytes(bytes(random.Random(7).getrandbits(8) for _ in range(4096)))
    bad.chmod(0o644)

    env = dict(os.environ, APPORTION_PLUGIN_PATH=str(folder))
    r = subprocess.run([sys.executable, "-X", "faulthandler", "-c", DISCOVERY_SCRIPT],
                       capture_output=True, text=True, env=env, cwd=tmp_path,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout.strip().splitlines()[-1])
    listed = {n: (a, p) for n, a, p in out["plugins"]}
    assert name in listed, out
    assert listed[name][0] == area
    assert os.path.samefile(listed[name][1], good)
    plugin_warnings = [m for c, m in out["warnings"] if c == "PluginWarning"]
    assert any(str(bad) in m or os.path.realpath(bad) in m for m in plugin_warnings), out
    assert not any(str(good) in m for m in plugin_warnings), out
    assert [p for p, _ in out["failures"] if os.path.samefile(p, bad)], out
