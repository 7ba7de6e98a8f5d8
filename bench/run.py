"""Runs every benchmark in bench/ (each bench_*.py), one after another, then
gathers the memory-traffic lines they printed (timing.print_traffic: each
kernel's bytes moved and its fraction of the read bandwidth measured in the
same bench's run, on one thread and on every core) into one table."""

import runpy
import sys
from pathlib import Path

import timing

here = Path(__file__).resolve().parent

# Each bench imports print_traffic from timing when it starts, so this
# wrapper, put in first, sees every traffic line it prints.
traffic = []
_print_traffic = timing.print_traffic
current = ""


def recorded(nbytes, seconds_one, seconds_all, gbps_one, gbps_all):
    traffic.append((current, nbytes, seconds_one, seconds_all, gbps_one, gbps_all))
    _print_traffic(nbytes, seconds_one, seconds_all, gbps_one, gbps_all)


timing.print_traffic = recorded

for script in sorted(here.glob("bench_*.py")):
    current = script.stem.removeprefix("bench_")
    print(f"== {script.name}")
    sys.argv = [str(script), *sys.argv[1:]]
    runpy.run_path(str(script), run_name="__main__")
    print()

def cell(nbytes, seconds, gbps):
    rate = nbytes / seconds / 1e9
    return f"{rate:5.1f} of {gbps:5.1f} GB/s {rate / gbps:4.0%}"


if traffic:
    print("== memory traffic: each kernel's reads and writes beside numpy's read "
          "of 1 GiB, measured in the same bench")
    print(f"  {'bench':<12} {'MB':>8} {'one thread':>24} {'every core':>24}")
    print(f"  {'-' * 12} {'-' * 8} {'-' * 24} {'-' * 24}")
    for name, nbytes, s_one, s_all, g_one, g_all in traffic:
        print(f"  {name:<12} {nbytes / 1e6:8,.0f} {cell(nbytes, s_one, g_one):>24} "
              f"{cell(nbytes, s_all, g_all):>24}")
