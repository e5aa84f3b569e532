"""Audit the pinned requirements with pip-audit; fail on a known vulnerability that has a fix.

Run by scripts/test.sh. pip-audit looks each pinned version up in PyPI's vulnerability data; a
package it cannot look up (no network, or a PyPI mirror without the per-version JSON API) is
reported loudly but does not fail the run, here or in CI: CI runs on the same network as the
developers, so failing there would only make every run red without telling anything new. A
vulnerability without a fixed release is printed, not failed on: there is nothing to upgrade to.
"""
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REQUIREMENTS = ["requirements.txt", "requirements-dev.txt", "scanner/requirements.txt"]


def run_pip_audit() -> dict:
    with tempfile.NamedTemporaryFile(suffix=".json") as report:
        args = [str(Path(sys.executable).parent / "pip-audit"), "--no-deps", "--disable-pip",
                "--progress-spinner", "off", "--format", "json", "--output", report.name]
        for path in REQUIREMENTS:
            args += ["--requirement", str(ROOT / path)]
        # Exit status 1 only means "vulnerabilities found"; the report says which.
        done = subprocess.run(args, capture_output=True, text=True)
        if done.returncode not in (0, 1) or not Path(report.name).stat().st_size:
            print(done.stderr, file=sys.stderr)
            return {}
        return json.loads(Path(report.name).read_text())


def main() -> int:
    report = run_pip_audit()
    dependencies = report.get("dependencies", [])
    skipped = [d["name"] for d in dependencies if "skip_reason" in d]
    fixable, unfixable = [], []
    for dep in dependencies:
        for vuln in dep.get("vulns", []):
            line = f"{dep['name']} {dep['version']}: {vuln['id']} (fixed in {', '.join(vuln['fix_versions']) or 'nothing yet'})"
            (fixable if vuln["fix_versions"] else unfixable).append(line)
    audited = len(dependencies) - len(skipped)
    print(f"pip-audit: {audited} of {len(dependencies)} pinned packages audited, "
          f"{len(fixable)} fixable and {len(unfixable)} unfixed known vulnerabilities")
    for line in unfixable:
        print(f"  no fix yet: {line}")
    if not dependencies or skipped:
        print(f"!!! pip-audit could NOT look up {len(skipped) if dependencies else 'any'} package(s) "
              f"(vulnerability data unreachable): the dependency audit is INCOMPLETE !!!", file=sys.stderr)
    for line in fixable:
        print(f"  VULNERABLE: {line}", file=sys.stderr)
    return 1 if fixable else 0


if __name__ == "__main__":
    sys.exit(main())
