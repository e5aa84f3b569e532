"""`python -m cardsim --host 127.0.0.1 --port 8100 --data FILE.json [--token T] [--test-controls]`."""
import argparse
import json
import logging
import os
import signal
import sys

from cardsim.server import serve
from cardsim.store import CardStore, InvalidRecord


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m cardsim", description="HMS card-service emulator")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8100)
    parser.add_argument("--data", required=True, help='JSON file {"cards": [...]} (flask demo seed writes it)')
    parser.add_argument("--token", default=os.environ.get("CARDSIM_TOKEN", "dev-token"),
                        help="the bearer token clients must send (default: $CARDSIM_TOKEN or dev-token)")
    parser.add_argument("--test-controls", action="store_true",
                        help="enable /_sim/ (cards, faults, call count) for tests and demos")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        store = CardStore.from_file(args.data)
    except (OSError, ValueError, InvalidRecord) as error:
        print(f"cardsim: cannot load {args.data}: {error}", file=sys.stderr)
        return 2
    # SIGTERM (from tests and `make run`) ends serve_forever cleanly.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        serve(args.host, args.port, store, args.token, args.test_controls)
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
