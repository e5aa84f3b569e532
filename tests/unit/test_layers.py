"""Layer rules: the domain is pure; scanner/ and reports/ never import the web app."""
import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def imported_modules(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module


def python_files(package: str):
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("path", python_files("app/domain"), ids=str)
def test_domain_imports_only_stdlib_and_itself(path):
    for module in imported_modules(path):
        top = module.split(".")[0]
        assert top in sys.stdlib_module_names or module.startswith("app.domain"), f"{path}: {module}"


@pytest.mark.parametrize("path", python_files("scanner") + python_files("reports") + python_files("cardsim"), ids=str)
def test_scanner_reports_and_emulator_never_import_the_app(path):
    for module in imported_modules(path):
        assert module.split(".")[0] not in ("app", "flask_sqlalchemy", "sqlalchemy"), f"{path}: {module}"


@pytest.mark.parametrize("path", python_files("app"), ids=str)
def test_app_never_imports_the_emulator(path):
    assert all(m.split(".")[0] != "cardsim" for m in imported_modules(path)), path
