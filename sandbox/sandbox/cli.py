"""`sandbox`: start the emulators."""

from __future__ import annotations

import argparse


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="sandbox", description=__doc__)
    parser.add_subparsers(dest="command", metavar="{serve}")
    parser.parse_args(argv)
    parser.print_help()
    return 0
