"""The `jcgraph` command line: serve, schema, simulator."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def build_parser() -> argparse.ArgumentParser:
    from gateway.simulator import cli as simulator_cli

    parser = argparse.ArgumentParser(prog="jcgraph", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    simulator_cli.configure_parser(
        sub.add_parser("simulator", help="serve the embedded JumpCloud simulator on a socket")
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "simulator":
        from gateway.simulator import cli as simulator_cli

        return simulator_cli.run(args)
    parser.error(f"unknown command {args.command!r}")
    return 2


if __name__ == "__main__":
    sys.exit(main())
