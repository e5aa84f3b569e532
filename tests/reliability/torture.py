"""How hard the fault and abuse suite (issue 9, docs/reliability.md) pushes: `make test` runs a quick
version; PORTVAKT_TORTURE=1 (`make torture`) the long one."""
import os

TORTURE = os.environ.get("PORTVAKT_TORTURE") == "1"


def scaled(regular: int, torture: int) -> int:
    """How many inputs or runs: a quick count for `make test`, the long one for `make torture`."""
    return torture if TORTURE else regular
