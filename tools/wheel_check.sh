#!/bin/sh
# Checks a repaired wheel as a user without a compiler or the Debian
# libraries would meet it: under 1.5 MB, no source of the extension inside,
# one exported function, libcjson and libffi resolving to the copies in the
# wheel, and the demo's plan run with the system's libcjson hidden (a
# bind mount of /dev/null over it, in a mount namespace of its own).
#
#   tools/wheel_check.sh PYTHON WHEEL WORKDIR
set -eu
python=$1
wheel=$2
work=$3
limit=1572864

size=$(wc -c < "$wheel")
[ "$size" -lt "$limit" ] || { echo "wheel is $size bytes; the limit is $limit"; exit 1; }
# The plugin template (apportion/plugin_template/) is C on purpose: `plugin
# new` copies it.  Nothing else in the wheel may be source.
sources=$("$python" -m zipfile -l "$wheel" | awk '{print $1}' |
          grep -E '\.(c|h)$' | grep -v -e '^apportion/plugin_template/' \
          -e '^apportion/include/apportion/' || true)
[ -z "$sources" ] || { echo "C sources in the wheel:"; echo "$sources"; exit 1; }

rm -rf "$work"
"$python" -m venv "$work/venv"
"$work/venv/bin/python" -m pip install --quiet "$wheel"
site=$("$work/venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["platlib"])')
core=$(ls "$site"/apportion/_core*.so)

exported=$(nm -D --defined-only "$core" | awk '$2 == "T" {print $3}')
[ "$exported" = "PyInit__core" ] || { echo "exported: $exported"; exit 1; }
for lib in libcjson libffi; do
    ldd "$core" | grep "$lib" | grep "=> $site/" | grep -q "apportion.libs/" ||
        { echo "$lib does not resolve inside the wheel:"; ldd "$core"; exit 1; }
done

cjson=$(ldconfig -p | awk '/libcjson\.so\.1 / {print $NF; exit}')
if [ -n "$cjson" ]; then
    unshare -m sh -c "mount --bind /dev/null '$cjson' &&
        '$work/venv/bin/python' -m apportion run examples/iass-2021-22.json" \
        > "$work/run.log"
else
    "$work/venv/bin/python" -m apportion run examples/iass-2021-22.json > "$work/run.log"
fi
grep -q "£52,914" "$work/run.log" || { cat "$work/run.log"; exit 1; }
echo "wheel ok: $size bytes, exports PyInit__core only, libcjson and libffi bundled;"
echo "  the plan runs with the system's libcjson ${cjson:+($cjson) }hidden"
