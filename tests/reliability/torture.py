"""How hard the fault and abuse suite (issue 9, docs/reliability.md) pushes: `make test` runs a quick
version; PORTVAKT_TORTURE=1 (`make torture`) the long one."""
import os

TORTURE = os.environ.get("PORTVAKT_TORTURE") == "1"


def scaled(regular: int, torture: int) -> int:
    """How many inputs or runs: a quick count for `make test`, the long one for `make torture`."""
    return torture if TORTURE else regular


def record(scenario: str, **figures) -> None:
    """Append a scenario's figures to test-artifacts/reliability.jsonl (docs/reliability.md quotes them)."""
    import json
    from pathlib import Path

    folder = Path(__file__).resolve().parents[2] / "test-artifacts"
    folder.mkdir(exist_ok=True)
    with open(folder / "reliability.jsonl", "a") as out:
        out.write(json.dumps({"scenario": scenario, "torture": TORTURE, **figures}) + "\n")
