"""Damaged plugin files: the loader refuses them and never dies.

A truncated plugin used to kill the interpreter with SIGBUS inside glibc's
dlopen (for iass.so, every cut between about 640 and 28,700 bytes), and
byte-flipped ones crashed in ld.so's relocation, in the plugin's code, or
in the host reading a corrupted info pointer (issue 17, findings 1 and 4).
Now the host reads the file's ELF structure itself before dlopen
(csrc/plugin/plugin_file_check.c) and, with ``probe=True``, loads and
initialises the plugin in a child process first.

For each shipped plugin one subprocess loads 1,266 truncated copies
(without the probe: every one must be refused by the file check, with a
message) and 900 copies with one byte changed (with the probe: each is
refused with a message or loads), in one loop, and must end normally.
The tests after it give each refusal's message, the probe's, the UTF-8
metadata case that used to leave the registry unusable, ``load_plugin("")``
and discovery's warnings.
"""

import itertools
import json
import os
import re
import struct
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import apportion
from apportion import PluginError

SHIPPED = sorted((Path(apportion.__file__).resolve().parent / "_plugins").glob("*.so"))
N_TRUNCATED = 1266
N_FLIPPED = 900

_serial = itertools.count()


# ---- the ELF headers, read here to say what the loader must say ------------------

PT_LOAD, PT_DYNAMIC = 1, 2


def program_headers(data):
    """(type, offset, vaddr, filesz, memsz) of each program header of a
    64-bit little-endian ELF file."""
    phoff, = struct.unpack_from("<Q", data, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    out = []
    for i in range(phnum):
        p_type, _flags, off, vaddr, _paddr, filesz, memsz, _align = \
            struct.unpack_from("<IIQQQQQQ", data, phoff + i * phentsize)
        out.append((p_type, off, vaddr, filesz, memsz))
    return out


def file_offset(data, addr):
    """The file offset of a loaded address."""
    for p_type, off, vaddr, filesz, _ in program_headers(data):
        if p_type == PT_LOAD and vaddr <= addr < vaddr + filesz:
            return off + addr - vaddr
    raise AssertionError(f"address {addr:#x} is not in a loaded segment")


def dynamic(data):
    """The dynamic section's entries as {tag: value} (the first of each)."""
    (off,) = [o for t, o, *_ in program_headers(data) if t == PT_DYNAMIC]
    entries = {}
    while True:
        tag, value = struct.unpack_from("<qQ", data, off)
        if tag == 0:
            return entries
        entries.setdefault(tag, value)
        off += 16


def danger_range(data):
    """The cuts that used to reach dlopen and die there: from the end of
    the program header table (shorter files dlopen refuses itself) to the
    end of the last loaded segment."""
    phoff, = struct.unpack_from("<Q", data, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    loads = [off + filesz for t, off, _, filesz, _ in program_headers(data) if t == PT_LOAD]
    return phoff + phentsize * phnum, max(loads)


def cuts(data):
    """N_TRUNCATED cut lengths: a third spread over the whole file, the
    rest over the danger range."""
    spread = N_TRUNCATED // 3
    lo, hi = danger_range(data)
    n = len(data)
    whole = [n * i // spread for i in range(spread)]
    dense = [lo + (hi - lo) * i // (N_TRUNCATED - spread - 1)
             for i in range(N_TRUNCATED - spread)]
    return whole + dense


# ---- 1,266 truncated and 900 flipped copies in one process per plugin ------------

LOOP_SCRIPT = r"""
import json, os, random, sys, warnings
import apportion
from apportion import PluginError

source, folder, cut_list, n_flipped = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), int(sys.argv[4])
data = open(source, "rb").read()
shipped = {p.name for p in apportion.plugins()}
warnings.simplefilter("ignore")

def write(path, content):
    with open(path, "wb") as f:
        f.write(content)
    os.chmod(path, 0o644)

truncated = []
for i, cut in enumerate(cut_list):
    path = os.path.join(folder, f"t_{i}.so")
    write(path, data[:cut])
    try:
        info = apportion.load_plugin(path)
        truncated.append(["loaded", path, info.name])
    except PluginError as e:
        truncated.append(["refused", path, str(e)])
    os.unlink(path)

rng = random.Random("apportion-flip-" + os.path.basename(source))
flipped = []
for i in range(n_flipped):
    copy = bytearray(data)
    at = rng.randrange(len(copy))
    copy[at] ^= rng.randrange(1, 256)
    path = os.path.join(folder, f"f_{i}.so")
    write(path, bytes(copy))
    try:
        info = apportion.load_plugin(path, probe=True)
        area = apportion.service_area(info.service_area)
        ok = (info.path == os.path.realpath(path)
              and info.name in {p.name for p in apportion.plugins()}
              and area.plugin == info)
        flipped.append(["loaded" if ok else "loaded wrongly", path, info.name, at])
    except PluginError as e:
        flipped.append(["refused", path, str(e), at])

# The registry is usable after it all.
after = {p.name for p in apportion.plugins()}
areas = sorted(apportion.service_areas())
print(json.dumps({"truncated": truncated, "flipped": flipped,
                  "shipped_still_loaded": shipped <= after, "areas": areas}))
sys.stdout.flush()
"""


@pytest.mark.parametrize("plugin", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_damaged_copies_never_kill_the_host(plugin, tmp_path):
    data = plugin.read_bytes()
    folder = tmp_path / "copies"
    folder.mkdir(mode=0o755)
    cut_list = cuts(data)
    assert len(cut_list) == N_TRUNCATED
    lo, hi = danger_range(data)
    assert sum(lo <= c <= hi for c in cut_list) >= N_TRUNCATED * 2 // 3

    env = {k: v for k, v in os.environ.items() if k != "APPORTION_PLUGIN_PATH"}
    r = subprocess.run([sys.executable, "-X", "faulthandler", "-c", LOOP_SCRIPT,
                        str(plugin), str(folder),
                        json.dumps(cut_list), str(N_FLIPPED)],
                       capture_output=True, text=True, env=env, timeout=600)
    # The process ended on its own, after its last line, at its exit too
    # (where the finalisers of what loaded run).
    assert r.returncode == 0, (r.returncode, r.stderr[-3000:])
    out = json.loads(r.stdout.strip().splitlines()[-1])
    assert out["shipped_still_loaded"], out["areas"]
    assert "IASS" in out["areas"]

    # Every truncated copy is refused by the file check, naming the file.
    assert len(out["truncated"]) == N_TRUNCATED
    for (outcome, path, message), cut in zip(out["truncated"], cut_list):
        assert outcome == "refused", (cut, message)
        assert message.startswith(f"plugin {path} is refused: "), message
        assert re.search(r"is refused: it is (truncated: |empty)", message), (cut, message)

    # Every flipped copy is refused with a message or loads as it says.
    assert len(out["flipped"]) == N_FLIPPED
    counts = dict.fromkeys(["file check", "dlopen", "info or init", "already loaded",
                            "crashed the probe", "loaded"], 0)
    for outcome, path, message, at in out["flipped"]:
        assert outcome in ("refused", "loaded"), (at, outcome, message)
        if outcome == "loaded":
            counts["loaded"] += 1
            continue
        assert message.startswith(f"plugin {path}"), (at, message)
        assert len(message) > len(f"plugin {path}") + 10, (at, message)
        counts[refusal_kind(message)] += 1
    # What refused them, for the record (pytest -s shows it).
    print(f"{plugin.name}: {N_TRUNCATED} truncated copies refused; {N_FLIPPED} "
          f"flipped: {counts}")


def refusal_kind(message):
    """Which part of the loader refused a copy, from its message."""
    if "crashed the probe process with SIG" in message:
        return "crashed the probe"
    if "is already loaded" in message or "is already provided" in message:
        return "already loaded"  # it passed every check and init
    if "is not a loadable shared library: /" in message:
        return "dlopen"
    if re.search(r"is refused: (it is|its (?!info block)|segment|section)", message):
        return "file check"
    return "info or init"


# ---- the file check's messages -------------------------------------------------------

def damaged_copy(tmp_path, data, name="t.so"):
    path = tmp_path / name
    path.write_bytes(bytes(data))
    path.chmod(0o644)
    return path


def refused_with(path, message, *, probe=False):
    before = apportion.plugins()
    with pytest.raises(PluginError) as e:
        apportion.load_plugin(path, probe=probe)
    assert apportion.plugins() == before
    text = str(e.value)
    assert text.startswith(f"plugin {os.path.realpath(path)} is refused: "), text
    assert message in text, text
    return text


IASS = next(p for p in SHIPPED if p.stem == "iass")


def test_a_truncated_plugin_is_refused_naming_the_segment(tmp_path):
    data = IASS.read_bytes()
    _, hi = danger_range(data)
    cut = hi - 40
    (index, end), *_ = [(i, off + filesz)
                        for i, (t, off, _, filesz, _) in enumerate(program_headers(data))
                        if t != 0 and filesz and off + filesz > cut]
    path = damaged_copy(tmp_path, data[:cut])
    refused_with(path, f"it is truncated: segment {index} ends at byte {end:,} but "
                       f"the file has {cut:,}")

    path = damaged_copy(tmp_path, data[:-10], "t2.so")
    refused_with(path, f"it is truncated: the section header table ends at byte "
                       f"{len(data):,} but the file has {len(data) - 10:,}")


@pytest.mark.parametrize("case", ["magic", "class", "type", "machine"])
def test_a_foreign_header_is_refused(case, tmp_path):
    data = bytearray(IASS.read_bytes())
    if case == "magic":
        data[1:4] = b"ELG"
        expect = "it is not a loadable shared library: it does not start with the ELF bytes"
    elif case == "class":
        data[4] = 1
        expect = "it is a 32-bit ELF file, and this host loads 64-bit ones"
    elif case == "type":
        data[0x10:0x12] = struct.pack("<H", 2)
        expect = "it is not a shared library: its ELF type is 2 (an executable)"
    else:
        machine, = struct.unpack_from("<H", data, 0x12)
        data[0x12:0x14] = struct.pack("<H", 22 if machine != 22 else 2)
        expect = "it is built for another processor (ELF machine "
    refused_with(damaged_copy(tmp_path, data), expect)


def test_damaged_tables_are_refused(tmp_path):
    data = IASS.read_bytes()
    dyn = dynamic(data)
    gnu_hash = file_offset(data, dyn[0x6FFFFEF5])  # DT_GNU_HASH
    copy = bytearray(data)
    copy[gnu_hash:gnu_hash + 4] = b"\0\0\0\0"
    refused_with(damaged_copy(tmp_path, copy, "hash.so"),
                 "its GNU hash table is damaged: 0 buckets")

    rela = file_offset(data, dyn[7])  # DT_RELA: the first relocation's offset
    copy = bytearray(data)
    copy[rela:rela + 8] = struct.pack("<Q", 1 << 40)
    refused_with(damaged_copy(tmp_path, copy, "rela.so"),
                 "its relocation 0 of relocations (DT_RELA) is damaged: it writes at "
                 "0x10000000000, outside the writable loaded segments")

    # The entry point's name in the dynamic string table, changed.
    at = data.index(b"apportion_plugin_init\0", file_offset(data, dyn[5]))  # DT_STRTAB
    copy = bytearray(data)
    copy[at + 10] = ord("X")
    refused_with(damaged_copy(tmp_path, copy, "noinit.so"),
                 "its dynamic symbol table has no apportion_plugin_init; a plugin "
                 "exports apportion_plugin_info and apportion_plugin_init")

    (index, vaddr), = [(i, v) for i, (t, _, v, _, _) in enumerate(program_headers(data))
                       if t == PT_DYNAMIC]
    phoff, = struct.unpack_from("<Q", data, 0x20)
    copy = bytearray(data)
    struct.pack_into("<Q", copy, phoff + 56 * index + 16, vaddr + (1 << 30))
    refused_with(damaged_copy(tmp_path, copy, "dyn.so"),
                 f"segment {index} (DYNAMIC) lies outside the loaded segments")


# ---- plugins built to be wrong --------------------------------------------------------

def source(name, *, url="NULL", init_body="", info_return="&info", top=""):
    return textwrap.dedent(f"""\
        #include <signal.h>
        #include <stdint.h>
        #include <stdlib.h>

        #include "apportion/plugin.h"

        static const ap_plugin_info info = {{
            AP_PLUGIN_INFO_HEADER, "{name}", "1.0.0", "{name.upper()}",
            "A plugin built by the damaged-plugin tests", "MIT", {url},
        }};
        {top}
        AP_PLUGIN_EXPORT const ap_plugin_info *apportion_plugin_info(void)
        {{
            (void)info;
            return {info_return};
        }}

        AP_PLUGIN_EXPORT ap_status apportion_plugin_init(const ap_host *host,
                                                         ap_registrar *reg,
                                                         char **error_message)
        {{
            (void)host;
            (void)reg;
            (void)error_message;
            {init_body}
            return AP_OK;
        }}
        """)


def fresh_name():
    return f"dm{next(_serial)}_{os.getpid() % 1000}"


def test_metadata_not_utf8_is_refused_and_leaves_nothing(build):
    name = fresh_name()
    path = build(source(name, url=r'"http://\xff"'), "badurl")
    before = apportion.plugins()
    for _ in range(2):  # a reload is refused alike: nothing was left behind
        with pytest.raises(PluginError, match=r"its info block's url is not valid "
                                              r"UTF-8 \(byte 8 is 0xff\)"):
            apportion.load_plugin(path)
    assert apportion.plugins() == before
    assert name.upper() not in apportion.service_areas()
    with pytest.raises(PluginError):
        apportion.service_area(name.upper())
    # The name and area are free: a good plugin takes them.
    good = build(source(name, url='"http://example.org/é"'), "goodurl")
    info = apportion.load_plugin(good)
    assert info.url == "http://example.org/é"
    assert apportion.service_area(name.upper()).plugin == info


@pytest.mark.parametrize("case", ["info", "url"])
def test_info_pointers_outside_the_loaded_segments_are_refused(case, build):
    name = fresh_name()
    if case == "info":
        path = build(source(name, info_return="(const ap_plugin_info *)(uintptr_t)16"),
                     "wildinfo")
        expect = "apportion_plugin_info() returned 0x10, outside every loaded segment"
    else:
        path = build(source(name, url="(const char *)(uintptr_t)16"), "wildurl")
        expect = "its info block's url points at 0x10, outside every loaded segment"
    refused_with(path, expect)
    assert name.upper() not in apportion.service_areas()


def test_an_empty_path_is_refused_as_no_path():
    with pytest.raises(PluginError) as e:
        apportion.load_plugin("")
    assert str(e.value) == ("no plugin path given: load_plugin needs the path of a "
                            "plugin file (a .so)")
    assert os.getcwd() not in str(e.value)


# ---- the probe -----------------------------------------------------------------------

# Writes through a null pointer the compiler cannot see is null.
SEGV = "static volatile uintptr_t nowhere;\n"
SEGV_BODY = "*(volatile int *)nowhere = 1;"


@pytest.mark.parametrize("how, signal", [(SEGV_BODY, "SIGSEGV"), ("abort();", "SIGABRT")])
def test_the_probe_names_the_signal_of_a_crashing_init(how, signal, build):
    name = fresh_name()
    path = build(source(name, top=SEGV, init_body=how), "crash")
    refused_with(path, f"the plugin crashed the probe process with {signal}", probe=True)
    assert name.upper() not in apportion.service_areas()


def test_the_probe_passes_on_inits_own_refusal(build):
    name = fresh_name()
    path = build(source(name, init_body="""
        *error_message = host->strdup("the tariff table is missing");
        return AP_E_INPUT;"""), "initfails")
    with pytest.raises(PluginError, match="init failed .*: the tariff table is missing"):
        apportion.load_plugin(path, probe=True)
    assert name.upper() not in apportion.service_areas()


def test_a_good_plugin_loads_after_the_probe(build):
    name = fresh_name()
    path = build(source(name), "good")
    info = apportion.load_plugin(path, probe=True)
    assert info.name == name and apportion.service_area(name.upper()).plugin == info
    assert apportion.load_plugin(path, probe=True) == info  # loaded: no second probe
    with pytest.raises(TypeError):
        apportion.load_plugin(path, probe=1)


# ---- discovery and plugin list ---------------------------------------------------------

DISCOVERY = r"""
import json, sys, warnings
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    import apportion
    import apportion.plugin as plugin
    real = plugin._core.plugin_load
    def flaky(path, probe=False):
        if path.endswith("raises.so"):
            raise ValueError("not a PluginError")
        return real(path, probe=probe)
    plugin._core.plugin_load = flaky
    names = [p.name for p in apportion.plugins()]
    areas = sorted(apportion.service_areas())
print(json.dumps({"names": names, "areas": areas,
                  "warnings": [[w.category.__name__, str(w.message)] for w in caught]}))
"""


@pytest.fixture
def plugin_folder(build, tmp_path):
    """APPORTION_PLUGIN_PATH's folder: a good plugin, a truncated copy of
    iass, one whose init crashes and one whose load raises ValueError."""
    folder = tmp_path / "path"
    folder.mkdir(mode=0o755)
    good = fresh_name()
    build(source(good), "good", folder=folder)
    build(source(fresh_name(), top=SEGV, init_body=SEGV_BODY), "crash", folder=folder)
    build(source(fresh_name()), "raises", folder=folder)
    damaged_copy(folder, IASS.read_bytes()[:20000], "cut.so")
    return folder, good


def test_discovery_turns_every_failure_into_a_warning(plugin_folder, tmp_path):
    folder, good = plugin_folder
    env = dict(os.environ, APPORTION_PLUGIN_PATH=str(folder))
    r = subprocess.run([sys.executable, "-c", DISCOVERY], capture_output=True, text=True,
                       env=env, cwd=tmp_path, timeout=120)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout.strip().splitlines()[-1])
    assert good in out["names"] and "iass" in out["names"], out
    assert good.upper() in out["areas"]
    messages = [m for c, m in out["warnings"] if c == "PluginWarning"]
    expected = {
        "cut.so": "is refused: it is truncated: segment ",
        "crash.so": "the plugin crashed the probe process with SIGSEGV",
        "raises.so": "could not be loaded: ValueError: not a PluginError",
    }
    for file, text in expected.items():
        assert any(file in m and text in m for m in messages), (file, messages)


def test_plugin_list_probes_and_goes_on(plugin_folder, tmp_path):
    folder, good = plugin_folder
    env = dict(os.environ, APPORTION_PLUGIN_PATH=str(folder))
    r = subprocess.run([sys.executable, "-m", "apportion", "plugin", "list"],
                       capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert r.returncode == 0, r.stderr
    assert re.search(rf"^{good}\s", r.stdout, re.M), r.stdout
    assert re.search(r"^iass\s", r.stdout, re.M), r.stdout
    assert "the plugin crashed the probe process with SIGSEGV" in r.stderr
    assert "is refused: it is truncated" in r.stderr

