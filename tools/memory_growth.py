"""Does reading and showing many distinct papers make the process grow?

Reads ``--iterations`` distinct mutated copies of an example paper
(a contract sum or an outturn), and shows each one (``report()``,
``str()``, ``repr()``, ``_repr_html_()``), then says where memory went:

- Python's allocations, by tracemalloc: the traced total after a warm-up,
  after N and after 2N iterations, and the allocation sites (by traceback)
  that grew most between N and 2N;
- the whole process, by its resident set size (RSS, from /proc), which
  also counts the C core's allocations and the allocator's own keeping.

A leak grows at every step: traced memory rising by about the same amount
between N and 2N as between the warm-up and N.  A cache fills and stops.

    python tools/memory_growth.py contract-sum -n 5000
    python tools/memory_growth.py outturn -n 5000 --mode bytes --no-trace

``--mode fields`` (the default) gives valid papers with random text and
figures; ``--mode bytes`` flips, inserts and deletes bytes of the file's
text, as a fuzzer would, so most inputs are refused by the reader.
Run it under ``valgrind --leak-check=full`` with a small ``-n`` and
``--no-trace`` to count the C side's allocations.

Measure outside a fuzzer: atheris 3.0's comparison tracing
(``atheris._trace_cmp``, inserted into instrumented code) keeps a
reference to the result of every ``==`` that is not a bool, so in a
harness that instruments apportion each pandas comparison (as
``frame["kind"] == "core"`` in ``ContractSum.formatted_frame``) leaves a
Series behind per input: the process grows there and not here.  Keep the
inputs out of memory too: a str the reader has read keeps its UTF-8 form,
as large as the text, for as long as it lives.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import sys
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import apportion

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = {
    "contract-sum": (ROOT / "examples" / "nct-contract-sum-2024-25.json",
                     apportion.ContractSum.from_text),
    "outturn": (ROOT / "examples" / "nct-outturn-2021-22.json",
                apportion.Outturn.from_text),
}

#: Keys whose values are free text in both formats.
TEXT_KEYS = {"title", "source", "name", "theme", "service", "description",
             "duration"}
#: Keys whose text other parts of the paper refer to: renamed the same way
#: everywhere in one paper.
RENAMED_KEYS = {"project"}
#: Keys whose values are printed money figures.
MONEY_KEYS = {"amount", "funding", "budget", "gross_outturn", "outturn",
              "variance", "total", "balance_outstanding", "contract_sum",
              "non_recurring", "overspend", "underspend"}
ALPHABET = ("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
            " -/&'()£éüß—\u2019€中文")


def _random_text(rng: random.Random) -> str:
    return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 40)))


def _random_money(rng: random.Random, old: str) -> str:
    # Keep the figure's form (its decimals) so the paper stays readable.
    decimals = len(old.rsplit(".", 1)[1]) if "." in old else 0
    whole = rng.randint(0, 999_999)
    text = f"{whole:,}"
    if decimals:
        text += "." + "".join(rng.choice("0123456789") for _ in range(decimals))
    return text


def _mutate(value: Any, rng: random.Random, rate: float, renames: dict[str, str],
            key: str = "") -> Any:
    if isinstance(value, dict):
        return {k: _mutate(v, rng, rate, renames, k) for k, v in value.items()}
    if isinstance(value, list):
        if key == "notes":
            return [_random_text(rng) if rng.random() < rate else v for v in value]
        return [_mutate(v, rng, rate, renames, key) for v in value]
    if isinstance(value, str) and key in RENAMED_KEYS:
        if value not in renames:
            renames[value] = _random_text(rng) + f" {len(renames)}"
        return renames[value]
    if isinstance(value, str) and rng.random() < rate:
        if key in TEXT_KEYS:
            return _random_text(rng)
        if key in MONEY_KEYS and value[:1].isdigit():
            return _random_money(rng, value)
    return value


def field_inputs(path: Path, seed: int) -> Iterator[str]:
    """Endless distinct valid papers: ``path`` with random text and figures."""
    rng = random.Random(seed)
    base = json.loads(path.read_text(encoding="utf-8"))
    while True:
        paper = _mutate(base, rng, 0.3, {})
        paper["title"] = f"{_random_text(rng)} #{rng.getrandbits(64):x}"
        yield json.dumps(paper, ensure_ascii=False)


def byte_inputs(path: Path, seed: int) -> Iterator[str]:
    """Endless distinct byte-mutated copies of ``path``'s text, as a fuzzer
    makes them (mostly invalid JSON or invalid papers)."""
    rng = random.Random(seed)
    base = path.read_bytes()
    while True:
        data = bytearray(base)
        for _ in range(rng.randint(1, 8)):
            pos = rng.randrange(len(data))
            op = rng.random()
            if op < 0.4:
                data[pos] = rng.randrange(256)
            elif op < 0.7:
                data.insert(pos, rng.randrange(256))
            else:
                del data[pos]
        yield data.decode("utf-8", "replace")


def exercise(read: Callable[[str], Any], text: str, show: bool) -> None:
    """Read one paper and show it every way a user would."""
    try:
        paper = read(text)
    except (apportion.ApportionError, ValueError, OverflowError, MemoryError):
        return
    if show:
        paper.report()
        str(paper)
        repr(paper)
        paper._repr_html_()


def rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paper", choices=sorted(EXAMPLES))
    parser.add_argument("-n", "--iterations", type=int, default=5000)
    parser.add_argument("--mode", choices=["fields", "bytes"], default="fields")
    parser.add_argument("--parse-only", action="store_true",
                        help="read the papers but do not show them")
    parser.add_argument("--no-trace", action="store_true",
                        help="no tracemalloc: RSS only (for valgrind, or speed)")
    parser.add_argument("--top", type=int, default=8)
    parser.add_argument("--frames", type=int, default=6)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--warmup", type=int, default=200,
                        help="iterations before the first measure")
    args = parser.parse_args(argv)

    path, read = EXAMPLES[args.paper]
    make = field_inputs if args.mode == "fields" else byte_inputs
    inputs = make(path, args.seed)
    show = not args.parse_only
    n = args.iterations

    # Warm-up: imports, pandas' first use, the first of every cache.
    for _ in range(args.warmup):
        exercise(read, next(inputs), show)
    gc.collect()
    if not args.no_trace:
        tracemalloc.start(args.frames)
    points = []

    def mark(label: str) -> tracemalloc.Snapshot | None:
        gc.collect()
        traced = tracemalloc.get_traced_memory()[0] if not args.no_trace else 0
        points.append((label, traced, rss_kib()))
        return None if args.no_trace else tracemalloc.take_snapshot()

    mark("start")
    for _ in range(n):
        exercise(read, next(inputs), show)
    first = mark(f"{n}")
    for _ in range(n):
        exercise(read, next(inputs), show)
    second = mark(f"{2 * n}")

    print(f"{args.paper}, {args.mode}, {'parse only' if not show else 'parse and show'}")
    print(f"{'after':>8} {'traced KiB':>12} {'RSS KiB':>10}")
    for label, traced, rss in points:
        print(f"{label:>8} {traced / 1024:12.1f} {rss:10d}")
    (_, t0, r0), (_, t1, r1), (_, t2, r2) = points
    print(f"traced per iteration: first N {(t1 - t0) / n:.1f} B, "
          f"second N {(t2 - t1) / n:.1f} B")
    print(f"RSS per iteration: first N {(r1 - r0) * 1024 / n:.1f} B, "
          f"second N {(r2 - r1) * 1024 / n:.1f} B")
    if first is not None and second is not None:
        print(f"\ntop {args.top} growths between {n} and {2 * n} (by traceback):")
        for stat in second.compare_to(first, "traceback")[:args.top]:
            print(f"{stat.size_diff / 1024:+.1f} KiB, {stat.count_diff:+d} blocks")
            for line in stat.traceback.format()[-2 * args.frames:]:
                print("   ", line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
