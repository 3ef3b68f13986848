"""`target-iterable` entry point: the Singer target, plus the `replay` subcommand."""

from __future__ import annotations

import sys

from target_iterable.target import TargetIterable


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "replay":
        from target_iterable.replay import main as replay_main  # noqa: PLC0415 (only for replay)

        sys.exit(replay_main(sys.argv[2:]))
    TargetIterable.cli()


if __name__ == "__main__":
    main()
