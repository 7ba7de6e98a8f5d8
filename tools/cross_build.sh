#!/bin/sh
# Builds the C core, the three first-party plugins, the plugin template (as
# `plugin new demo` would write it) and the C test runner for one target,
# every file with -Wall -Wextra -Werror, into build/cross/TARGET/.
#
#   sh tools/cross_build.sh TARGET
#
#   windows-x86_64  Debian's mingw-w64 (x86_64-w64-mingw32-gcc): plugins
#                   as .dll, the runner as runner.exe (tools/cross_test.sh
#                   runs it under wine)
#   macos-aarch64   zig cc -target aarch64-macos (PyPI's ziglang), plugins
#   macos-x86_64    as .dylib, the runner linked but not run (no macOS here)
#   linux-gcc       gcc and clang on this machine, with the system's
#   linux-clang     libcjson and libffi: the same files, the same flags
#
# ZIG names the zig command for the macOS targets (the Makefile passes
# "$(VENV)/bin/python -m ziglang").  cJSON and libffi for the cross targets
# come from tools/cross_deps.sh (Debian's source packages, built into
# build/cross/TARGET/deps).  Every C file is compiled even after one fails,
# and the ones that failed are listed at the end: the build stops only
# then, with status 1.
set -eu

target=${1:?usage: cross_build.sh TARGET}
here=$(pwd)
out=$here/build/cross/$target
zig=${ZIG:-python3 -m ziglang}
export ZIG_GLOBAL_CACHE_DIR="$here/build/cross/zig-cache"
export ZIG_LOCAL_CACHE_DIR="$here/build/cross/zig-cache"

# What the Makefile's C tests use, and the plugins' flags from setup.py.
warn="-Wall -Wextra -Werror -Wshadow -Wstrict-prototypes"
core_flags="-std=gnu11 $warn -ffp-contract=off -O1"
plugin_flags="-std=c11 -Wall -Wextra -Werror -fvisibility=hidden -O2"
deps_flags=
deps_libs=
case $target in
    windows-x86_64)
        # mingw-w64's C99 printf family, which knows %zu and %lld (the old
        # msvcrt.dll does not).  Debian's mingw-w64 headers choose it for
        # -std=gnu11 and c11 already; said here so that the build does not
        # rest on that default.
        cc="x86_64-w64-mingw32-gcc -D__USE_MINGW_ANSI_STDIO=1"
        exe=.exe dll=.dll
        # The runner and plugins carry libgcc and winpthread inside, so
        # wine needs no DLL of mingw's beside them.
        link_flags="-static"
        plugin_link="-shared -static-libgcc"
        ;;
    macos-aarch64 | macos-x86_64)
        cc="$zig cc -target ${target#macos-}-macos"
        exe= dll=.dylib
        link_flags=
        plugin_link="-dynamiclib"
        ;;
    linux-gcc | linux-clang)
        cc=${target#linux-}
        exe= dll=.so
        link_flags="-pthread"
        plugin_link="-shared -fPIC"
        core_flags="$core_flags -fPIC"
        plugin_flags="$plugin_flags -fPIC"
        deps_flags=$(pkg-config --cflags libcjson libffi)
        deps_libs="$(pkg-config --libs libcjson libffi) -lm"
        ;;
    *)
        echo "cross_build: unknown target $target (windows-x86_64, macos-aarch64, macos-x86_64, linux-gcc, linux-clang)" >&2
        exit 1
        ;;
esac

case $target in
    linux-*) ;;
    *)
        sh tools/cross_deps.sh "$target" "$cc" "$out/deps"
        deps_flags="-I$out/deps/include -I$out/deps/include/cjson"
        deps_libs="-L$out/deps/lib -lcjson -lffi -lm"
        ;;
esac

echo "cross_build: $target with $cc"
rm -rf "$out/obj" "$out/plugins" "$out/gen" "$out/runner$exe"
mkdir -p "$out/obj" "$out/plugins" "$out/gen"
failed=
log=$out/errors.log
: > "$log"

# compile SOURCE OBJECT FLAGS...: one file; a failure is noted, not fatal.
compile() {
    src=$1 obj=$2
    shift 2
    if ! $cc "$@" -c "$src" -o "$obj" 2>"$obj.err"; then
        failed="$failed $src"
        cat "$obj.err" >> "$log"
    elif [ -s "$obj.err" ]; then
        cat "$obj.err" # warnings that -Werror let through (notes)
    fi
    rm -f "$obj.err"
}

# ---- the core ---------------------------------------------------------------
core_objs=
for src in csrc/*/*.c; do
    obj=$out/obj/$(echo "${src#csrc/}" | tr / _).o
    # shellcheck disable=SC2086
    compile "$src" "$obj" $core_flags -Iinclude -Icsrc $deps_flags
    core_objs="$core_objs $obj"
done

# ---- the plugins: the three areas and the template as `plugin new` writes it
mkdir -p "$out/gen/demo"
for f in plugins/template/*.c; do
    name=$(basename "$f" | sed 's/__NAME__/demo/')
    sed -e 's/__NAME__/demo/g' -e 's/__AREA__/DEMO/g' "$f" > "$out/gen/demo/$name"
done
for dir in plugins/iass plugins/nct plugins/transformation "$out/gen/demo"; do
    name=$(basename "$dir")
    objs=
    for src in "$dir"/*.c; do
        obj=$out/obj/plugin_${name}_$(basename "$src" .c).o
        # shellcheck disable=SC2086
        compile "$src" "$obj" $plugin_flags -Iinclude
        objs="$objs $obj"
    done
    case " $failed " in *" $dir/"*) continue ;; esac
    # shellcheck disable=SC2086
    $cc $plugin_link $objs -o "$out/plugins/$name$dll" 2>>"$log" ||
        failed="$failed link:$name$dll"
done
# The loader refuses a plugin that others may write, or in such a folder.
chmod go-w "$out/plugins" "$out/plugins"/* 2>/dev/null || true

# ---- the C tests ------------------------------------------------------------
awk -f tests/c/collect_tests.awk tests/c/*.c > "$out/gen/test_list.h"
test_objs=
for src in tests/c/*.c; do
    obj=$out/obj/test_$(basename "$src" .c).o
    # The tests find examples/ and the plugins by these paths: under wine,
    # a path from / is one on drive Z:, which is the Linux root.
    # shellcheck disable=SC2086
    compile "$src" "$obj" $core_flags -Iinclude -Icsrc -I"$out/gen" $deps_flags \
        -DAP_SOURCE_DIR="\"$here\"" -DAP_TEST_PLUGIN_DIR="\"$out/plugins\""
    test_objs="$test_objs $obj"
done
if [ -z "$failed" ]; then
    # shellcheck disable=SC2086
    $cc $link_flags $core_objs $test_objs -o "$out/runner$exe" $deps_libs \
        2>>"$log" || failed="$failed link:runner$exe"
fi

if [ -n "$failed" ]; then
    echo "cross_build: $target: these failed:" >&2
    for f in $failed; do echo "  $f" >&2; done
    echo "(the compiler's messages: $log)" >&2
    exit 1
fi
echo "cross_build: $target: core, plugins (iass nct transformation demo) and runner$exe built in ${out#"$here"/}"
