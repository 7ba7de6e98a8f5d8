"""Command line: ``python -m apportion run PLAN.json``."""

from __future__ import annotations

import argparse
import json
import sys

from .errors import ApportionError


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m apportion",
        description="Apportion, recharge and check a service plan exactly.")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="print a plan's apportionment, recharge "
                         "schedule and the checks of its stated figures")
    run.add_argument("plan", help="a plan file (JSON)")
    run.add_argument("--json", action="store_true",
                     help="print the checks as JSON instead of the report")
    run.add_argument("--strict", action="store_true",
                     help="exit with status 1 when a stated figure is wrong")
    args = parser.parse_args(argv)

    from .plan import load_plan

    try:
        plan = load_plan(args.plan)
    except (ApportionError, OSError) as exc:
        print(f"apportion: {exc}", file=sys.stderr)
        return 2
    if args.json:
        json.dump({"plan": plan.source, "checks": [c.__dict__ for c in plan.checks]},
                  sys.stdout, indent=2)
        print()
    else:
        print(plan.report())
    return 1 if args.strict and plan.failed_checks else 0


if __name__ == "__main__":
    sys.exit(main())
