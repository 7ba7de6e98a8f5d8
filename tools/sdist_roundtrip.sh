#!/bin/sh
# The source distribution's round trip, as a packager or pip would make it:
# build the sdist, unpack it, build a wheel from it in an empty folder,
# install that wheel into a fresh venv of the given Python, and run the test
# suite in the unpacked sdist against the installed package (never against
# the source tree: conftest.py checks where apportion was imported from).
#
#   tools/sdist_roundtrip.sh BUILD_PYTHON TEST_PYTHON WORKDIR [PYTEST ARGS]
#
# BUILD_PYTHON has the `build` package (the project's venv); TEST_PYTHON is
# the interpreter to test (python3, or one of test-matrix's).
set -eu
build_python=$1
test_python=$2
work=$3
shift 3

rm -rf "$work"
mkdir -p "$work/empty"
work=$(cd "$work" && pwd)
"$build_python" -m build --sdist --outdir "$work" . > "$work/sdist.log" 2>&1 ||
    { cat "$work/sdist.log"; exit 1; }
sdist=$(ls "$work"/apportion-*.tar.gz)
tar -xzf "$sdist" -C "$work"
src=$(ls -d "$work"/apportion-*/)
echo "sdist: $(basename "$sdist") ($(wc -c < "$sdist") bytes)"

"$test_python" -m venv "$work/venv"
pip="$work/venv/bin/python -m pip"
$pip install --quiet --upgrade pip
(cd "$work/empty" && $pip wheel --quiet --no-deps --wheel-dir "$work/wheel" "$src")
wheel=$(ls "$work"/wheel/apportion-*.whl)
echo "wheel from the sdist: $(basename "$wheel")"
$pip install --quiet "$wheel[test]"

cd "$src"
# APPORTION_TEST_WHEEL: tests/test_plugin_wheel.py installs this wheel
# beside a plugin's rather than compiling apportion once more.
APPORTION_TEST_INSTALLED=1 APPORTION_TEST_WHEEL="$wheel" \
    "$work/venv/bin/python" -m pytest -q "$@" tests
