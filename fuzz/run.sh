#!/bin/sh
# Runs fuzz targets one after the other and says, for each, how many
# inputs it ran and the coverage it reached (libFuzzer's closing "cov:"
# and "ft:"); stops at the first one that fails (a crash, a leak, a
# timeout, an out-of-memory or a sanitizer report), printing the end of
# its log and where the input that shows it was written.
#
#   fuzz/run.sh smoke BIN_DIR SEED_DIR TARGET...   the short, bounded pass
#   fuzz/run.sh fuzz  BIN_DIR SEED_DIR TARGET...   the long one
#
# smoke first replays the inputs committed under fuzz/regressions/<name>/
# (the inputs of defects found and fixed), then runs FUZZ_SMOKE_RUNS
# inputs (default 10000) from seed 1 with FUZZ_SMOKE_SECONDS (default 8)
# at most, on a corpus made afresh from the seeds each time, so two runs
# of a tree do the same.  fuzz runs FUZZ_SECONDS (default 60) a target
# and keeps what it finds in build/fuzz/corpus/<target>, which grows from
# run to run.  FUZZ_FLAGS adds libFuzzer options to both.
set -u
mode=${1:?usage: fuzz/run.sh smoke|fuzz BIN_DIR SEED_DIR TARGET...}
bin=${2:?}
seeds=${3:?}
shift 3
here=$(dirname "$0")
work=$(dirname "$bin")
logs=$work/logs
mkdir -p "$logs"

dict_of() {
    case $1 in
        fuzz_money|fuzz_figure|fuzz_decimal|fuzz_bands)
            echo "$here/figures.dict" ;;
        fuzz_audit_table_csv|fuzz_ledger_csv) echo "$here/csv.dict" ;;
        fuzz_plugin_file) echo "" ;;
        *) echo "$here/json.dict" ;;
    esac
}

# LeakSanitizer on (the default), every UBSan report fatal, stacks shown.
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export ASAN_OPTIONS UBSAN_OPTIONS

failed=0
for t in "$@"; do
    exe=$bin/$t
    log=$logs/$t.log
    artifacts=$work/artifacts/$t
    mkdir -p "$artifacts" "$seeds/$t"
    dict=$(dict_of "$t")
    set -- -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=1024 \
        -max_len=65536 -print_final_stats=1 -artifact_prefix="$artifacts/"
    if [ -n "$dict" ]; then
        set -- "$@" -dict="$dict"
    fi
    : > "$log"
    if [ "$mode" = smoke ]; then
        reg=$here/regressions/${t#fuzz_}
        if [ -d "$reg" ] && [ -n "$(ls -A "$reg" 2>/dev/null)" ]; then
            if ! "$exe" "$@" "$reg"/* >> "$log" 2>&1; then
                echo "$t: FAILED replaying fuzz/regressions/${t#fuzz_}/ (log: $log)"
                tail -n 40 "$log"
                failed=1
                break
            fi
        fi
        corpus=$work/smoke/$t
        rm -rf "$corpus"
        mkdir -p "$corpus"
        set -- "$@" -seed=1 -runs="${FUZZ_SMOKE_RUNS:-10000}" \
            -max_total_time="${FUZZ_SMOKE_SECONDS:-8}"
    else
        corpus=$work/corpus/$t
        mkdir -p "$corpus"
        set -- "$@" -max_total_time="${FUZZ_SECONDS:-60}"
    fi
    start=$(date +%s)
    # shellcheck disable=SC2086
    "$exe" "$@" ${FUZZ_FLAGS:-} "$corpus" "$seeds/$t" >> "$log" 2>&1
    rc=$?
    took=$(( $(date +%s) - start ))
    done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -n 1)
    [ -n "$done_line" ] || done_line=$(grep -E '^#[0-9]+' "$log" | tail -n 1)
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    cov=$(echo "$done_line" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
    ft=$(echo "$done_line" | sed -n 's/.*ft: \([0-9]*\).*/\1/p')
    corp=$(echo "$done_line" | sed -n 's/.*corp: \([0-9]*\).*/\1/p')
    line=$(printf '%-22s %9s execs %4ss  cov %5s  ft %6s  corpus %5s' \
        "$t" "${execs:-?}" "$took" "${cov:-?}" "${ft:-?}" "${corp:-?}")
    if [ $rc -ne 0 ]; then
        echo "$line  FAILED (exit $rc; log: $log)"
        grep -E 'ERROR: |SUMMARY: |runtime error|Test unit written' "$log" | head -n 10
        tail -n 40 "$log"
        failed=1
        break
    fi
    echo "$line"
    grep -m 1 '^fuzz: known defect' "$log" | sed 's/^/    /'
done
exit $failed
