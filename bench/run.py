"""Runs every benchmark in bench/ (each bench_*.py), one after another, then
gathers the memory-traffic lines they printed (timing.print_traffic: each
kernel's bytes moved and its fraction of the read bandwidth measured in the
same bench's run, on one thread and on every core) into one table, and the
history store's figures (bench_store.py's SUMMARY: each job's time on SQLite
and on PostgreSQL beside pandas to_sql/read_sql) into another."""

import runpy
import sys
from pathlib import Path

import timing

here = Path(__file__).resolve().parent

# Each bench imports print_traffic from timing when it starts, so this
# wrapper, put in first, sees every traffic line it prints.
traffic = []
store_rows = []
_print_traffic = timing.print_traffic
current = ""


def recorded(nbytes, seconds_one, seconds_all, gbps_one, gbps_all, *, label=""):
    name = f"{current} {label.rstrip(':')}" if label else current
    traffic.append((name, nbytes, seconds_one, seconds_all, gbps_one, gbps_all))
    _print_traffic(nbytes, seconds_one, seconds_all, gbps_one, gbps_all, label=label)


timing.print_traffic = recorded

for script in sorted(here.glob("bench_*.py")):
    current = script.stem.removeprefix("bench_")
    print(f"== {script.name}")
    sys.argv = [str(script), *sys.argv[1:]]
    found = runpy.run_path(str(script), run_name="__main__")
    if current == "store":
        store_rows = found.get("SUMMARY", [])
    print()

def cell(nbytes, seconds, gbps):
    rate = nbytes / seconds / 1e9
    return f"{rate:5.1f} of {gbps:5.1f} GB/s {rate / gbps:4.0%}"


if traffic:
    print("== memory traffic: each kernel's reads and writes beside numpy's read "
          "of 1 GiB, measured in the same bench")
    print(f"  {'bench':<30} {'MB':>8} {'one thread':>24} {'every core':>24}")
    print(f"  {'-' * 30} {'-' * 8} {'-' * 24} {'-' * 24}")
    for name, nbytes, s_one, s_all, g_one, g_all in traffic:
        print(f"  {name:<30} {nbytes / 1e6:8,.0f} {cell(nbytes, s_one, g_one):>24} "
              f"{cell(nbytes, s_all, g_all):>24}")

if store_rows:
    print("== the history store: apportion.store beside pandas to_sql/read_sql on the "
          "same engine (bench_store.py)")
    print(f"  {'backend':<10} {'job':<28} {'rows':>7} {'store s':>8} {'pandas s':>8} "
          f"{'store/pandas':>12}")
    print(f"  {'-' * 10} {'-' * 28} {'-' * 7} {'-' * 8} {'-' * 8} {'-' * 12}")
    for backend, job, rows, ours, theirs in store_rows:
        print(f"  {backend:<10} {job:<28} {rows:>7,} {ours:8.3f} {theirs:8.3f} "
              f"{ours / theirs:11.1f}x")
