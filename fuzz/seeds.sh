#!/bin/sh
# Builds the seed corpora of the fuzz targets into $1 (build/fuzz/seeds),
# one folder a target, from the repository's own files: the example
# papers and tables of examples/ by their "format", the strings they hold
# (figures, decimals, band wording) for the text readers, the example
# ledger's first lines, tests/data's CSV, and the hand-made seeds
# committed under fuzz/seeds/<target>/.  Made again on every run, so they
# follow the examples; nothing here is committed.
set -eu
out=${1:?usage: fuzz/seeds.sh OUT_DIR}
here=$(dirname "$0")
top=$here/..
rm -rf "$out"
mkdir -p "$out"

# The JSON papers by their format tag.
paper() { # target tag
    mkdir -p "$out/$1"
    for f in "$top"/examples/*.json "$top"/examples/tables/*.json; do
        if grep -q "\"format\": *\"$2\"" "$f"; then
            cp "$f" "$out/$1/"
        fi
    done
}
paper fuzz_plan apportion.plan/1
paper fuzz_kpis apportion.kpis/1
paper fuzz_outturn apportion.outturn/1
paper fuzz_savings apportion.savings/1
paper fuzz_mtfp apportion.mtfp/1
paper fuzz_contract_sum apportion.contract_sum/1
paper fuzz_disaggregation apportion.disaggregation/1
paper fuzz_audit_table apportion.table/1

# Every string value of the examples' JSON, one file each, for the
# readers of text.  $2 is the bytes the target reads before the text.
strings=$out/.strings
mkdir -p "$strings"
cat "$top"/examples/*.json "$top"/examples/tables/*.json |
    grep -o '"[^"\\]*"' | sed 's/^"//; s/"$//' | sort -u |
    awk -v dir="$strings" 'length($0) > 0 && length($0) <= 80 {
        f = dir "/" NR; printf "%s", $0 > f; close(f) }'
text_seeds() { # target prefix [grep pattern]
    mkdir -p "$out/$1"
    for f in "$strings"/*; do
        if [ -n "${3:-}" ] && ! grep -qiE "$3" "$f"; then
            continue
        fi
        { printf "$2"; cat "$f"; } > "$out/$1/$(basename "$f")"
    done
}
# money: unit pounds (byte 1), default style; figure: the value 1/1.
text_seeds fuzz_money '\001\000' '[0-9]'
text_seeds fuzz_figure '\000\000\000\000\000\000\000\001\000\000\000\000\000\000\000\001' '[0-9]'
text_seeds fuzz_decimal '' '[0-9]'
text_seeds fuzz_bands '\000' 'green|amber|red'
rm -rf "$strings"

# The example ledger's first lines.
mkdir -p "$out/fuzz_ledger_csv"
head -n 40 "$top/examples/nct-ledger-2021-22.csv" > "$out/fuzz_ledger_csv/nct-ledger-head.csv"

# tests/data's CSV start, for the CSV table reader's quoting and commas.
mkdir -p "$out/fuzz_audit_table_csv"
head -n 20 "$top/tests/data/uk_bank_holidays_2015_2030.csv" > "$out/fuzz_audit_table_csv/bank-holidays-head.csv"

# A plugin info block as the shipped plugins give it, registering the
# IASS KPIs, a measure and a calculator.
mkdir -p "$out/fuzz_plugin_info"
{
    printf '\000\001\001iass\0001.0.0\000IASS\000Information, advice and support\000MIT\000https://example.org/iass\000'
    cat "$top/examples/iass-kpis.json"
    printf '\000responded_within\000received,responded\000notice_end\000date(date, int64)'
} > "$out/fuzz_plugin_info/iass-info"

# The shipped plugins as built (python/apportion/_plugins/, made by the
# venv's editable install), stripped to fit the targets' 64 KiB inputs:
# real ELF files for the plugin file check to start from.
mkdir -p "$out/fuzz_plugin_file"
for so in "$top"/python/apportion/_plugins/*.so; do
    [ -f "$so" ] || continue
    strip -s -o "$out/fuzz_plugin_file/$(basename "$so")" "$so"
done

# The hand-made seeds.
for d in "$here"/seeds/*/; do
    [ -d "$d" ] || continue
    t=fuzz_$(basename "$d")
    mkdir -p "$out/$t"
    for f in "$d"*; do
        [ -f "$f" ] && cp "$f" "$out/$t/"
    done
done
exit 0
