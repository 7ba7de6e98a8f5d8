#!/bin/sh
# Runs the Windows build's C tests (tools/cross_build.sh windows-x86_64)
# under Debian's wine: every TEST of tests/c, each in a child process of
# runner.exe, the plugin tests loading the .dll files the build made.
#
#   sh tools/cross_test.sh [build/cross/windows-x86_64] [TEST]
#
# wine keeps its prefix (its C: drive and registry) in build/cross/wine,
# not in $HOME; the first run makes it (about 10 s).  wine's own debug
# output is off and no Mono or Gecko installer is offered.  Paths from
# the build (the examples, the plugins' folder) are Linux paths: wine
# maps / to drive Z:, the current drive, so they open as they are.
set -eu

dir=${1:-build/cross/windows-x86_64}
here=$(pwd)
[ -f "$dir/runner.exe" ] || {
    echo "cross_test: $dir/runner.exe is missing: run sh tools/cross_build.sh windows-x86_64 first" >&2
    exit 1
}
command -v wine >/dev/null || {
    echo "cross_test: wine is missing: apt-get install wine wine64 (make deps)" >&2
    exit 1
}
WINEPREFIX=$here/build/cross/wine
WINEDEBUG=-all
WINEDLLOVERRIDES="mscoree,mshtml="
export WINEPREFIX WINEDEBUG WINEDLLOVERRIDES
if [ ! -f "$WINEPREFIX/system.reg" ]; then
    echo "cross_test: making wine's prefix in build/cross/wine"
    mkdir -p "$WINEPREFIX"
    # wineboot's own chatter (a 64-bit-only wine cannot start the 32-bit
    # rundll32 it tries) goes to a log.
    wine wineboot --init >"$here/build/cross/wineboot.log" 2>&1 || true
    wineserver -w
fi
shift $(($# > 0 ? 1 : 0))
status=0
wine "$dir/runner.exe" "$@" || status=$?
wineserver -w
exit $status
