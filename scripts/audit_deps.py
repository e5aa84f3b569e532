"""Known vulnerabilities in the pinned requirements: offline against the advisory snapshot kept
in the repository, then online with pip-audit when it can reach its data.

    python scripts/audit_deps.py                    # both; scripts/test.sh runs this first
    python scripts/audit_deps.py --offline          # the snapshot only
    python scripts/audit_deps.py --update-snapshot  # rebuild security/advisories.json from PyPI

The snapshot (`security/advisories.json`) lists, per pinned package, the version it was checked
at and the advisories PyPI's JSON API reported for it. PyPI lists a release's vulnerabilities at
`/pypi/<name>/<version>/json`, and the latest release's at `/pypi/<name>/json`; a mirror without
the per-version URL (ours) still gives the latest release's, which covers every pin that is the
latest release. A pin neither URL covers is recorded as unchecked, with the reason.

Either half fails the run on a known vulnerability that has a fixed release; one without a fix is
printed at every run (there is nothing to upgrade to). A pin the snapshot does not cover, or a
snapshot older than 90 days, is reported loudly but does not fail: run the update.
"""
import argparse
import json
import re
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REQUIREMENTS = ["requirements.txt", "requirements-dev.txt", "scanner/requirements.txt"]
SNAPSHOT = ROOT / "security" / "advisories.json"
PYPI = "https://pypi.org/pypi"
STALE_DAYS = 90
PIN = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*==\s*([^\s;#]+)")


def canonical(name: str) -> str:
    """PEP 503: Jinja2, jinja_2 and jinja-2 are one package."""
    return re.sub(r"[-_.]+", "-", name).lower()


def pinned(paths: list[str]) -> dict[str, str]:
    """{package: version} for every `name==version` line (includes are listed separately)."""
    pins = {}
    for path in paths:
        for line in (ROOT / path).read_text().splitlines():
            if match := PIN.match(line):
                pins[canonical(match[1])] = match[2]
    return pins


# --- the offline check -------------------------------------------------------------------------


def check_snapshot(pins: dict[str, str], snapshot_path: Path) -> int:
    snapshot = json.loads(snapshot_path.read_text())
    checked, unchecked = snapshot.get("checked", {}), snapshot.get("unchecked", {})
    fixable, unfixed = [], []
    for advisory in snapshot.get("advisories", []):
        name = canonical(advisory["package"])
        if pins.get(name) in advisory["affected"]:
            names = ", ".join(advisory.get("aliases") or [])
            fix = ", ".join(advisory.get("fixed_in") or []) or "nothing yet"
            line = f"{name} {pins[name]}: {advisory['id']} ({names + '; ' if names else ''}fixed in {fix})"
            (fixable if advisory.get("fixed_in") else unfixed).append(line)
    looked_at = {**checked, **{n: u["version"] for n, u in unchecked.items()}}
    missing = [f"{n} {v}" for n, v in sorted(pins.items()) if looked_at.get(n) != v]
    blind = [f"{n} {v} ({unchecked[n]['why']})" for n, v in sorted(pins.items())
             if n in unchecked and unchecked[n]["version"] == v]
    print(f"advisory snapshot of {snapshot.get('generated_at', '?')} ({snapshot_path.name}): "
          f"{len(pins) - len(missing) - len(blind)} of {len(pins)} pinned packages checked, "
          f"{len(fixable)} fixable and {len(unfixed)} unfixed known vulnerabilities")
    for line in unfixed:
        print(f"  no fix yet: {line}")
    if missing:
        print(f"!!! not in the snapshot (pinned since its update): {', '.join(missing)} -- run "
              f"`python scripts/audit_deps.py --update-snapshot` !!!", file=sys.stderr)
    if blind:
        print(f"!!! the snapshot could not check: {'; '.join(blind)} !!!", file=sys.stderr)
    _warn_if_stale(snapshot.get("generated_at"))
    for line in fixable:
        print(f"  VULNERABLE: {line}", file=sys.stderr)
    return 1 if fixable else 0


def _warn_if_stale(generated_at: str | None) -> None:
    try:
        age = datetime.now(timezone.utc) - datetime.fromisoformat(generated_at.replace("Z", "+00:00"))
    except (AttributeError, ValueError):
        age = None
    if age is None or age.days > STALE_DAYS:
        print(f"!!! the advisory snapshot is {age.days if age else '?'} days old: update it !!!", file=sys.stderr)


# --- updating the snapshot ---------------------------------------------------------------------


def _get_json(url: str):
    """The JSON at url, or None for a 404; other trouble raises OSError."""
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return json.load(response)
    except urllib.error.HTTPError as error:
        if error.code == 404:
            return None
        raise


def look_up(pypi: str, name: str, version: str) -> tuple[list[dict] | None, str]:
    """(vulnerabilities of name==version, how we know) or (None, why we cannot tell)."""
    try:
        release = _get_json(f"{pypi}/{name}/{version}/json")
        if release is not None:
            return release.get("vulnerabilities", []), "release JSON"
        project = _get_json(f"{pypi}/{name}/json")
    except (OSError, ValueError) as error:
        return None, f"PyPI unreachable: {type(error).__name__}"
    if project is None:
        return None, "not on PyPI"
    latest = project.get("info", {}).get("version")
    if latest != version:
        return None, f"no per-version JSON, and the latest release is {latest}"
    return project.get("vulnerabilities", []), "latest release's JSON"


def update_snapshot(pins: dict[str, str], snapshot_path: Path, pypi: str) -> int:
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = dict(zip(pins, pool.map(lambda item: look_up(pypi, *item), pins.items())))
    checked, unchecked, advisories = {}, {}, []
    for name, (vulns, how) in sorted(answers.items()):
        if vulns is None:
            unchecked[name] = {"version": pins[name], "why": how}
            continue
        checked[name] = pins[name]
        for vuln in vulns:
            if not vuln.get("withdrawn"):
                advisories.append({"id": vuln["id"], "package": name, "affected": [pins[name]],
                                   "fixed_in": vuln.get("fixed_in") or [], "aliases": vuln.get("aliases") or [],
                                   "summary": (vuln.get("summary") or vuln.get("details") or "")[:300],
                                   "link": vuln.get("link", "")})
    if not checked and snapshot_path.exists():
        print(f"could not check any package ({next(iter(unchecked.values()), '')}); "
              f"{snapshot_path} left as it was", file=sys.stderr)
        return 1
    snapshot = {"generated_at": datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z"),
                "source": "the package index's JSON API: the pinned release's page, else the project's page "
                          "when the pin is its latest release",
                "command": "python scripts/audit_deps.py --update-snapshot",
                "checked": checked, "unchecked": unchecked, "advisories": advisories}
    snapshot_path.parent.mkdir(parents=True, exist_ok=True)
    snapshot_path.write_text(json.dumps(snapshot, indent=1, ensure_ascii=False) + "\n")
    print(f"{snapshot_path}: {len(checked)} checked, {len(unchecked)} unchecked, {len(advisories)} advisories")
    return 0


# --- pip-audit, online -------------------------------------------------------------------------


def run_pip_audit(paths: list[str]) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".json") as report:
        args = [str(Path(sys.executable).parent / "pip-audit"), "--no-deps", "--disable-pip",
                "--progress-spinner", "off", "--format", "json", "--output", report.name]
        for path in paths:
            args += ["--requirement", str(ROOT / path)]
        # Exit status 1 only means "vulnerabilities found"; the report says which.
        done = subprocess.run(args, capture_output=True, text=True)
        if done.returncode not in (0, 1) or not Path(report.name).stat().st_size:
            print(done.stderr, file=sys.stderr)
            return {}
        return json.loads(Path(report.name).read_text())


def pip_audit_verdict(report: dict) -> int:
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
        print(f"pip-audit could NOT look up {len(skipped) if dependencies else 'any'} package(s) "
              f"(its vulnerability data is unreachable from here): the snapshot above is this run's audit",
              file=sys.stderr)
    for line in fixable:
        print(f"  VULNERABLE: {line}", file=sys.stderr)
    return 1 if fixable else 0


def main(argv=()) -> int:
    parser = argparse.ArgumentParser(prog="python scripts/audit_deps.py", description=__doc__.split("\n")[0])
    parser.add_argument("--offline", action="store_true", help="check the snapshot only, no pip-audit")
    parser.add_argument("--update-snapshot", action="store_true", help="rebuild the snapshot from PyPI's JSON API")
    parser.add_argument("--snapshot", type=Path, default=SNAPSHOT)
    parser.add_argument("--pypi-url", default=PYPI, help="PyPI's JSON API (default: %(default)s)")
    parser.add_argument("--requirements", action="append", help="a pinned requirements file (default: all three)")
    args = parser.parse_args(list(argv))
    paths = args.requirements or REQUIREMENTS
    pins = pinned(paths)
    if args.update_snapshot:
        return update_snapshot(pins, args.snapshot, args.pypi_url.rstrip("/"))
    status = check_snapshot(pins, args.snapshot)
    if not args.offline:
        status = max(status, pip_audit_verdict(run_pip_audit(paths)))
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
