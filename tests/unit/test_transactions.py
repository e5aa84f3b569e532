"""One owner of the transaction (app/services/__init__.py), kept by reading the code: only
unit_of_work() commits or rolls back, only public use cases are marked @use_case, and views,
CLI commands, models and the domain leave the transaction alone."""
import ast
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[2] / "app"

# Calling commit() or rollback() is unit_of_work()'s job; these modules may, and say why.
MAY_END_TRANSACTIONS = {
    "services/__init__.py": "unit_of_work() itself",
    "errors.py": "ends the transaction a database error broke, before the error page",
    "health.py": "ends the transaction a failed readiness probe broke",
}
# Views, CLI commands and the layers below services never open a unit of work of their own; an
# exception would be listed here with its reason (none today).
MAY_OPEN_UNITS: dict[str, str] = {}


def modules():
    return sorted(path for path in APP.rglob("*.py"))


def name_of(path: Path) -> str:
    return path.relative_to(APP).as_posix()


def tree(path: Path) -> ast.AST:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def ends_transaction(node: ast.AST) -> bool:
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("commit", "rollback"))


def uses_unit_of_work(node: ast.AST) -> bool:
    return isinstance(node, ast.Name) and node.id in ("unit_of_work", "use_case") or (
        isinstance(node, ast.Attribute) and node.attr in ("unit_of_work", "use_case"))


def is_edge_or_below(name: str) -> bool:
    """Views, forms, CLI commands, models and the domain."""
    file = name.rsplit("/", 1)[-1]
    return (file in ("routes.py", "forms.py") or file.endswith("_routes.py") or file.endswith("_forms.py")
            or name.startswith(("cli/", "models/", "domain/")))


def test_only_unit_of_work_commits_or_rolls_back():
    offenders = [f"{name_of(path)}:{node.lineno}" for path in modules() if name_of(path) not in MAY_END_TRANSACTIONS
                 for node in ast.walk(tree(path)) if ends_transaction(node)]
    assert not offenders, f"commit()/rollback() outside unit_of_work() (app/services/__init__.py): {offenders}"


def test_views_cli_models_and_domain_open_no_unit_of_work():
    offenders = [f"{name_of(path)}:{node.lineno}" for path in modules()
                 if is_edge_or_below(name_of(path)) and name_of(path) not in MAY_OPEN_UNITS
                 for node in ast.walk(tree(path)) if uses_unit_of_work(node)]
    assert not offenders, f"a view, CLI command, model or domain rule owns a transaction: {offenders}"


def test_only_public_functions_are_use_cases():
    offenders = [f"{name_of(path)}:{node.name}" for path in modules() for node in ast.walk(tree(path))
                 if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("_")
                 and any(uses_unit_of_work(decorator) for decorator in node.decorator_list)]
    assert not offenders, f"a helper marked @use_case (helpers only add and flush): {offenders}"


@pytest.mark.parametrize("name", sorted(MAY_END_TRANSACTIONS))
def test_each_module_allowed_to_end_a_transaction_still_does(name):
    assert any(ends_transaction(node) for node in ast.walk(tree(APP / name))), \
        f"{name} no longer commits or rolls back: take it off MAY_END_TRANSACTIONS"


def test_each_edge_allowed_a_unit_of_work_still_needs_it():
    stale = [name for name in MAY_OPEN_UNITS if not any(uses_unit_of_work(node) for node in ast.walk(tree(APP / name)))]
    assert not stale, f"{stale} no longer open a unit of work: take them off MAY_OPEN_UNITS"
