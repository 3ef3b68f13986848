"""`make demo`: run what exists of the pipeline and say what does not exist yet."""

from __future__ import annotations

import subprocess
import sys

PLUGINS = ("tap-bigcommerce", "map-bigcommerce-iterable", "target-iterable")


def main() -> int:
    print("BigCommerce -> Iterable connector demo\n")
    for plugin in PLUGINS:
        about = subprocess.run([plugin, "--about"], capture_output=True, text=True, check=True)
        print(about.stdout.splitlines()[0], "- installed, settings:")
        print("\n".join("   " + line for line in about.stdout.splitlines()[5:] if line.strip()))
    print("\nNot there yet: the sandbox emulators, the streams, the mapping rules and the loader.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
