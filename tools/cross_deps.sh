#!/bin/sh
# The two C libraries the core links, cJSON and libffi, built for a cross
# target from Debian's own source packages, into build/ (never committed).
#
#   sh tools/cross_deps.sh TARGET CC PREFIX
#
# TARGET is windows-x86_64, macos-aarch64 or macos-x86_64; CC is the
# target's C compiler command (quoted if it has words); PREFIX gets
# include/ and lib/ with static libcjson.a and libffi.a.
#
# Debian ships neither library built for Windows or macOS, so the sources
# are the ones Debian builds its libcjson-dev and libffi-dev from (the same
# versions and Debian's patches), fetched with `apt-get source` through a
# private apt configuration under build/cross/apt: a deb-src line for the
# machine's own Debian release, lists and cache there, so the machine's apt
# setup is neither needed nor touched.  Static libraries: the cross-built
# test runner and plugins then need no DLL or dylib beside them.
set -eu

target=$1
cc=$2
prefix=$3
here=$(pwd)
root=$here/build/cross
src=$root/src

# ---- the sources, once ------------------------------------------------------
if [ ! -f "$src/.fetched" ]; then
    codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
    [ -n "$codename" ] || { echo "cross_deps: cannot tell the Debian release from /etc/os-release" >&2; exit 1; }
    command -v dpkg-source >/dev/null || { echo "cross_deps: dpkg-source is missing: apt-get install dpkg-dev (make deps)" >&2; exit 1; }
    apt=$root/apt
    mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$src"
    printf 'deb-src http://deb.debian.org/debian %s main\n' "$codename" > "$apt/sources.list"
    printf 'deb-src http://deb.debian.org/debian %s-updates main\n' "$codename" >> "$apt/sources.list"
    printf 'deb-src http://deb.debian.org/debian-security %s-security main\n' "$codename" >> "$apt/sources.list"
    set -- -o Dir::Etc::SourceList="$apt/sources.list" \
        -o Dir::Etc::SourceParts=/nonexistent \
        -o Dir::State::Lists="$apt/lists" -o Dir::Cache="$apt/cache" \
        -o Debug::NoLocking=1 -o APT::Sandbox::User="$(id -un)" -q
    echo "cross_deps: fetching Debian's cjson and libffi source packages ($codename)"
    apt-get "$@" update >/dev/null
    rm -rf "$src/cjson" "$src/libffi"
    (cd "$src" && apt-get "$@" source cjson libffi >/dev/null 2>&1) || {
        echo "cross_deps: apt-get source cjson libffi failed" >&2; exit 1; }
    mv "$src"/cjson-*/ "$src/cjson"
    mv "$src"/libffi-*/ "$src/libffi"
    touch "$src/.fetched"
fi

[ -f "$prefix/.built" ] && exit 0
rm -rf "$prefix"
mkdir -p "$prefix/include" "$prefix/lib"
work=$root/work/$target
rm -rf "$work"
mkdir -p "$work"

# mingw-w64's binutils, or zig's own ar and ranlib (the zig command is
# what comes before " cc" in CC).
case $target in
    windows-x86_64) host=x86_64-w64-mingw32 ar=x86_64-w64-mingw32-ar ranlib=x86_64-w64-mingw32-ranlib ;;
    macos-aarch64) host=aarch64-apple-darwin ar="${cc% cc*} ar" ranlib="${cc% cc*} ranlib" ;;
    macos-x86_64) host=x86_64-apple-darwin ar="${cc% cc*} ar" ranlib="${cc% cc*} ranlib" ;;
    *) echo "cross_deps: unknown target $target" >&2; exit 1 ;;
esac
# For macOS, no .cfi_* directives in libffi's assembly: LLVM's Mach-O
# assembler (zig cc's) refuses some of aarch64/sysv.S's ("invalid CFI
# advance_loc expression").  They only describe ffi_call's frames to an
# unwinder, which C code never runs.
cfi=
case $target in macos-*) cfi=gcc_cv_as_cfi_pseudo_op=no ;; esac

echo "cross_deps: cJSON for $target"
$cc -std=c89 -O2 -c "$src/cjson/cJSON.c" -o "$work/cJSON.o"
$ar rcs "$prefix/lib/libcjson.a" "$work/cJSON.o"
mkdir -p "$prefix/include/cjson"
cp "$src/cjson/cJSON.h" "$prefix/include/cjson/cJSON.h"

echo "cross_deps: libffi for $target (configure --host=$host)"
cp -R "$src/libffi" "$work/libffi"
(
    cd "$work/libffi"
    CC="$cc" AR="$ar" RANLIB="$ranlib" CFLAGS="-O2" \
        ./configure $cfi --host="$host" --prefix="$prefix" --disable-shared \
        --enable-static --disable-docs --disable-multi-os-directory \
        >"$work/libffi-configure.log" 2>&1 ||
        { tail -30 "$work/libffi-configure.log" >&2; exit 1; }
    make -j2 >"$work/libffi-make.log" 2>&1 ||
        { tail -30 "$work/libffi-make.log" >&2; exit 1; }
    make install >"$work/libffi-install.log" 2>&1 ||
        { tail -30 "$work/libffi-install.log" >&2; exit 1; }
)
touch "$prefix/.built"
