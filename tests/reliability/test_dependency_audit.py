"""scripts/audit_deps.py decides from pip-audit's report: fail on a fixable vulnerability, shout
when packages could not be looked up, pass otherwise. (The live lookup runs in scripts/test.sh.)"""
import importlib.util

import pytest

from tests.support.processes import ROOT

spec = importlib.util.spec_from_file_location("audit_deps", ROOT / "scripts" / "audit_deps.py")
audit_deps = importlib.util.module_from_spec(spec)
spec.loader.exec_module(audit_deps)

CLEAN = {"name": "flask", "version": "3.1.3", "vulns": []}
FIXABLE = {"name": "jinja2", "version": "2.10", "vulns": [{"id": "GHSA-xxxx", "fix_versions": ["2.10.1"]}]}
UNFIXED = {"name": "oldlib", "version": "1.0", "vulns": [{"id": "PYSEC-1", "fix_versions": []}]}
SKIPPED = {"name": "werkzeug", "skip_reason": "Dependency not found on PyPI and could not be audited"}


@pytest.mark.parametrize("dependencies, status, says", [
    ([CLEAN], 0, "1 of 1 pinned packages audited"),
    ([CLEAN, FIXABLE], 1, "VULNERABLE: jinja2 2.10: GHSA-xxxx (fixed in 2.10.1)"),
    ([CLEAN, UNFIXED], 0, "no fix yet: oldlib 1.0"),
    ([CLEAN, SKIPPED], 0, "could NOT look up 1 package(s)"),
    ([], 0, "could NOT look up any package(s)"),
])
def test_the_verdict(monkeypatch, capsys, dependencies, status, says):
    monkeypatch.setattr(audit_deps, "run_pip_audit", lambda *_: {"dependencies": dependencies} if dependencies else {})
    assert audit_deps.main() == status
    output = capsys.readouterr()
    assert says in output.out + output.err
