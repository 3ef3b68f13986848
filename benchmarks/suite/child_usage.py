"""Run one command and write its CPU seconds and peak RSS to a file: `usage_file cmd args...`.

Why a launcher: Linux carries a process's peak RSS across fork and exec, so a stage started
straight from the driver (a big Python process) would report the driver's peak when its own is
smaller. Started from this small process (`python -I -S`, a few MiB), the stage's `ru_maxrss`
is its own. stdin and stdout pass through untouched.
"""

import os
import sys


def main() -> int:
    usage_file, command = sys.argv[1], sys.argv[2:]
    pid = os.posix_spawn(command[0], command, os.environ)
    _, status, usage = os.wait4(pid, 0)
    with open(usage_file, "w") as out:
        out.write(f"{usage.ru_utime + usage.ru_stime} {usage.ru_maxrss}\n")
    return os.waitstatus_to_exitcode(status)


if __name__ == "__main__":
    sys.exit(main())
