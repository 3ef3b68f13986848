"""`make audit`: pip-audit over the workspace environment, informational, never failing or hanging.

Prints how many packages were really audited, the known vulnerabilities, and how many could not
be audited and why (pip-audit alone says "No known vulnerabilities found" even when it could
reach no vulnerability data at all). Always exits 0: CI reads it, it does not gate on it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter

TIMEOUT_SECONDS = 180


def main() -> int:
    command = ["pip-audit", "--skip-editable", "--progress-spinner", "off", "--format", "json"]
    try:
        result = subprocess.run(
            command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False
        )
    except subprocess.TimeoutExpired:
        print(f"audit: pip-audit gave no answer in {TIMEOUT_SECONDS} s (no network?); skipped")
        return 0
    except FileNotFoundError:
        print("audit: pip-audit is not installed (uv sync --all-packages); skipped")
        return 0
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        print(f"audit: pip-audit failed (exit {result.returncode}): {result.stderr.strip()[-500:]}")
        return 0
    dependencies = report.get("dependencies", [])
    # Our own workspace packages are installed editable and are not on PyPI: nothing to audit.
    dependencies = [d for d in dependencies if "editable" not in d.get("skip_reason", "")]
    skipped = [d for d in dependencies if d.get("skip_reason")]
    audited = [d for d in dependencies if not d.get("skip_reason")]
    vulnerable = [d for d in audited if d.get("vulns")]
    print(f"audit: {len(audited)} package(s) audited, {len(vulnerable)} with known vulnerabilities")
    for dependency in vulnerable:
        ids = ", ".join(v["id"] for v in dependency["vulns"])
        print(f"  {dependency['name']} {dependency.get('version')}: {ids}")
    if skipped:
        reasons = Counter(d["skip_reason"].split(":")[0] for d in skipped)
        print(f"audit: {len(skipped)} package(s) not audited:")
        for reason, count in reasons.most_common():
            print(f"  {count} x {reason} (is PyPI's vulnerability API reachable from here?)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
