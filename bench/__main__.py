"""`make bench` / `python -m bench`: every benchmark in turn; one failing does not stop the rest."""
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ORDER = ["ingest", "cold", "rush", "gate_e2e", "bigsite", "decode", "pdf"]


def main() -> int:
    failed = []
    for name in ORDER:
        script = BENCH / f"{name}.py"
        if not script.exists():
            continue
        print(f"\n=== bench/{name}.py ===", flush=True)
        if subprocess.run([sys.executable, "-m", f"bench.{name}"], cwd=BENCH.parent).returncode != 0:
            failed.append(name)
    print(f"\nFigures merged into {BENCH / 'results.json'}.")
    if failed:
        print(f"Failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
