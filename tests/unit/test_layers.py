"""Layer rules: the domain is pure; scanner/ and reports/ never import the web app; views sit on top
(a feature's routes import no other feature's routes; services never import views; models never
import services)."""
import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def imports(path: Path):
    """(module, names) for every absolute import: names is () for `import module`."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from ((alias.name, ()) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module, tuple(alias.name for alias in node.names)


def imported_modules(path: Path):
    yield from (module for module, _names in imports(path))


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


def imported_names(path: Path):
    """Every absolute module an import names, with `from a import b` also read as `a.b`."""
    for module, names in imports(path):
        yield module
        yield from (f"{module}.{name}" for name in names)


def is_view(module: str) -> bool:
    """A view module: a feature's routes or forms (routes.py, settings_routes.py, ...), or the shared web helpers."""
    last = module.split(".")[-1]
    return module.startswith("app.") and (last.endswith("routes") or last.endswith("forms") or module == "app.web")


def feature_of(path: Path) -> str:
    """The feature package a file under app/ belongs to (app/share/routes.py: "share")."""
    parts = path.parts
    return parts[len(parts) - parts[::-1].index("app")]


ROUTES = [p for p in python_files("app") if p.name.endswith("routes.py") and p.parent != ROOT / "app"]


@pytest.mark.parametrize("path", ROUTES, ids=str)
def test_a_features_routes_never_import_another_features_routes(path):
    for module in imported_names(path):
        parts = module.split(".")
        if len(parts) >= 3 and parts[0] == "app" and parts[-1].endswith("routes"):
            assert parts[1] == feature_of(path), f"{path}: {module} (shared view helpers go in app/web.py)"


@pytest.mark.parametrize("path", python_files("app/services"), ids=str)
def test_services_never_import_views(path):
    assert not [m for m in imported_names(path) if is_view(m)], path


@pytest.mark.parametrize("path", python_files("app/models"), ids=str)
def test_models_never_import_services(path):
    assert not [m for m in imported_names(path) if m.startswith("app.services")], path


@pytest.mark.parametrize("path", python_files("reports"), ids=str)
def test_reports_never_import_flask(path):
    assert not [m for m in imported_modules(path) if m.split(".")[0] in ("flask", "werkzeug")
                or m.startswith("flask_")], path


@pytest.mark.parametrize("source, rule", [
    ("from app.lists_ui.routes import send_download", test_a_features_routes_never_import_another_features_routes),
    ("from app.sites import routes", test_a_features_routes_never_import_another_features_routes),
    ("from app.share.forms import ShareLinkForm", test_services_never_import_views),
    ("import app.web", test_services_never_import_views),
    ("from app.services import lists", test_models_never_import_services),
    ("from flask import current_app", test_reports_never_import_flask),
    ("import flask_babel", test_reports_never_import_flask),
])
def test_the_rules_refuse_what_they_forbid(tmp_path, source, rule):
    """Each rule fails on the import it forbids (a rule that never fails guards nothing)."""
    path = tmp_path / "app" / "share" / "routes.py"  # a feature's routes, for the first rule
    path.parent.mkdir(parents=True)
    path.write_text(source + "\n", encoding="utf-8")
    with pytest.raises(AssertionError):
        rule(path)


def test_a_features_own_routes_and_the_shared_helpers_are_allowed(tmp_path):
    path = tmp_path / "app" / "share" / "routes.py"
    path.parent.mkdir(parents=True)
    path.write_text("from app.share.forms import ShareLinkForm\nfrom app.web import send_download\n", encoding="utf-8")
    test_a_features_routes_never_import_another_features_routes(path)
