"""`python -m registersim --host 127.0.0.1 --port 8200 [--hmsreg-user U] [--hmsreg-password P] [--elrapp-key K] [--test-controls]`."""
import argparse
import logging
import signal
import sys

from registersim.server import serve
from registersim.store import Credentials, RegisterStore


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m registersim", description="HMSREG and ELRAPP emulator")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8200)
    parser.add_argument("--hmsreg-user", default="portvakt", help="HMSREG Basic user (default portvakt)")
    parser.add_argument("--hmsreg-password", default="dev-password", help="HMSREG Basic password (default dev-password)")
    parser.add_argument("--elrapp-key", default="dev-key", help="ELRAPP ApiKey (default dev-key)")
    parser.add_argument("--test-controls", action="store_true",
                        help="enable /_sim/ (what was received, fault modes) for tests and demos")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    credentials = Credentials(args.hmsreg_user, args.hmsreg_password, args.elrapp_key)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # from tests and `make run`
    try:
        serve(args.host, args.port, RegisterStore(), credentials, args.test_controls)
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
