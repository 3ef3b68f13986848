"""`target-iterable` entry point: the Singer target, plus the `replay` subcommand."""

from __future__ import annotations

from target_iterable.target import TargetIterable


def main() -> None:
    TargetIterable.cli()


if __name__ == "__main__":
    main()
