"""Dependency audit: known vulnerabilities in the packages installed in .venv (pip-audit).

Prints each advisory with the versions that fix it. Exits 1 only when an advisory has a fix
(upgrade the pin); advisories without a fix are reported and do not fail. When the advisory
service cannot be reached, or answers for no package, says so and exits 0: an audit that could
not run is not a finding, but it must not read as "no known vulnerabilities" either.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

PIP_AUDIT = Path(sys.executable).with_name("pip-audit")


def main() -> int:
    cmd = [str(PIP_AUDIT), "--skip-editable", "--progress-spinner", "off", "--format", "json"]
    try:
        run = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    except subprocess.TimeoutExpired:
        print("audit: the advisory service did not answer within 10 minutes; nothing was audited")
        return 0
    try:
        report = json.loads(run.stdout)
    except json.JSONDecodeError:
        tail = (run.stderr.strip().splitlines() or ["(no output)"])[-1]
        print(f"audit: pip-audit could not run (advisory service unreachable?): {tail}")
        return 0

    deps = report.get("dependencies", [])
    skipped = [d for d in deps if d.get("skip_reason")]
    audited = [d for d in deps if not d.get("skip_reason")]
    fixable = unfixed = 0
    for dep in audited:
        for vuln in dep.get("vulns", []):
            fixes = ", ".join(vuln.get("fix_versions") or []) or "no fix yet"
            aliases = ", ".join(vuln.get("aliases") or [])
            print(f"{dep['name']} {dep['version']}: {vuln['id']}{f' ({aliases})' if aliases else ''} fixed in: {fixes}")
            if vuln.get("fix_versions"):
                fixable += 1
            else:
                unfixed += 1
    print(
        f"audit: {len(audited)} packages audited, {len(skipped)} not found by the advisory service; "
        f"{fixable} advisories with a fix, {unfixed} without"
    )
    if deps and not audited:
        print(
            "audit: the advisory service knew none of the packages (a mirror without PyPI's JSON "
            "API?); nothing was audited"
        )
    return 1 if fixable else 0


if __name__ == "__main__":
    sys.exit(main())
