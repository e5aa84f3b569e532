"""Command line: `python -m scanner run|decode|status`. Settings: defaults < TOML file < env < flags."""
import argparse
import json
import logging
import sys
import time
from pathlib import Path

from scanner import VERSION
from scanner.config import DEFAULT_FILE, ENV_PREFIX, Config, ConfigError, load

EPILOG = f"""
configuration (later wins): built-in defaults, the [scanner] table of a TOML file (--config, or
${ENV_PREFIX}CONFIG, or /etc/portvakt/scanner.toml if it exists), environment variables
{ENV_PREFIX}<SETTING> (e.g. {ENV_PREFIX}TOKEN, {ENV_PREFIX}SERVER, {ENV_PREFIX}BATCH_SIZE), then flags.
settings: {", ".join(f.name for f in Config.__dataclass_fields__.values())}
"""


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scanner", description="Portvakt gate kiosk: reads HMS cards "
                                     "and shows the server's decision; queues scans while the server is away.",
                                     epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"portvakt-scanner {VERSION}")
    commands = parser.add_subparsers(dest="command", required=True)
    _run_parser(commands)
    decode = commands.add_parser("decode", help="decode image files and print one JSON line per file")
    decode.add_argument("files", nargs="+", metavar="FILE")
    decode.add_argument("--json", action="store_true", help="JSON lines (the default; kept for scripts)")
    decode.add_argument("--engines", help="decoder order, e.g. zxing,zbar (default from configuration)")
    decode.add_argument("--config", help="TOML configuration file")
    status = commands.add_parser("status", help="queue depth, last contact, camera fps and decode rate")
    status.add_argument("--outbox", help="the outbox file (default from configuration)")
    status.add_argument("--config", help="TOML configuration file")
    status.add_argument("--json", action="store_true", help="print JSON instead of text")
    enroll = commands.add_parser("enroll", help="trade an enrollment code (typed, or a QR shown to the camera) "
                                 "for this kiosk's token and save it in the configuration file")
    enroll.add_argument("--server", required=True, help="the web app's base URL")
    enroll.add_argument("--code", help="the code as text; without it, show the enrollment QR to --source")
    enroll.add_argument("--source", default="camera:0", help="where to look for the enrollment QR (default camera:0)")
    enroll.add_argument("--config", default=str(DEFAULT_FILE), help=f"file to write (default {DEFAULT_FILE})")
    args = parser.parse_args(argv)
    try:
        return {"run": cmd_run, "decode": cmd_decode, "status": cmd_status, "enroll": cmd_enroll}[args.command](args)
    except ConfigError as error:
        print(f"configuration error: {error}", file=sys.stderr)
        return 2


def _run_parser(commands) -> None:
    run = commands.add_parser("run", help="run the kiosk", epilog=EPILOG,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    run.add_argument("--config", help="TOML configuration file with a [scanner] table")
    run.add_argument("--server", help="the web app's base URL, e.g. https://portvakt.example.no")
    run.add_argument("--token", help="the kiosk's bearer token (prefer the file or the environment)")
    run.add_argument("--source", help="camera:N | video:FILE | images:DIR | hid (keyboard-wedge scanner on stdin)")
    run.add_argument("--display", choices=("window", "none"), help="full-screen window, or one log line per decision")
    run.add_argument("--lang", dest="languages", help="extra screen languages after nb,en, e.g. pl,lt")
    run.add_argument("--outbox", help="SQLite file holding scans until the server has them")
    run.add_argument("--engines", help="decoder order (default zxing,zbar)")
    run.add_argument("--exit-when-done", dest="exit_when_done", action="store_true", default=None,
                     help="with a file source: exit once every frame is decided and the queue is empty "
                          "(or drain_timeout_s has passed)")
    run.add_argument("--log-level", dest="log_level", help="DEBUG, INFO, WARNING")


def cmd_run(args) -> int:
    flags = {key: getattr(args, key) for key in ("server", "token", "source", "display", "languages", "outbox",
                                                  "engines", "exit_when_done", "log_level")}
    config = load(args.config, flags=flags)
    logging.basicConfig(level=config.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if not config.token:
        print(f"no kiosk token: pass --token, set {ENV_PREFIX}TOKEN or put token in the config file", file=sys.stderr)
        return 2
    from scanner.app import build_kiosk
    from scanner.display import DisplayError
    from scanner.sources import SourceError

    try:
        kiosk = build_kiosk(config)
    except (SourceError, DisplayError, ValueError) as error:
        print(f"cannot start: {error}", file=sys.stderr)
        return 2
    return kiosk.run()


def cmd_decode(args) -> int:
    import cv2

    from scanner.decode import Decoder

    config = load(args.config, flags={"engines": args.engines})
    decoder = Decoder(config.engine_list())
    failures = 0
    for name in args.files:
        image = cv2.imread(name, cv2.IMREAD_COLOR) if Path(name).is_file() else None
        if image is None:
            print(json.dumps({"file": name, "error": "not a readable image"}, ensure_ascii=False))
            failures += 1
            continue
        started = time.perf_counter()
        result = decoder.decode(image)
        elapsed = (time.perf_counter() - started) * 1000
        print(json.dumps({"file": name, "payloads": list(result.payloads), "ms": round(elapsed, 2),
                          "stage": result.stage}, ensure_ascii=False))
    return 1 if failures else 0


def cmd_enroll(args) -> int:
    from scanner.decode import Decoder
    from scanner.enroll import EnrollmentFailed, enroll, read_code_from_frames, save_settings
    from scanner.sources import SourceError, open_source

    code = args.code
    if not code:
        try:
            source = open_source(args.source)
        except SourceError as error:
            print(f"cannot read the enrollment QR: {error}", file=sys.stderr)
            return 2
        print("show the enrollment QR code to the camera …", file=sys.stderr)
        code = read_code_from_frames(iter(source), Decoder())
        if not code:
            print("no enrollment QR code was seen", file=sys.stderr)
            return 1
    try:
        answer = enroll(args.server, code)
    except EnrollmentFailed as error:
        print(f"enrollment refused: {error}", file=sys.stderr)
        return 1
    save_settings(Path(args.config), {"server": args.server, "token": answer["token"]})
    kiosk = answer.get("kiosk") or {}
    print(f"enrolled as kiosk {kiosk.get('name', '?')} (id {kiosk.get('id', '?')}); token saved in {args.config}")
    return 0


def cmd_status(args) -> int:
    from scanner.status import read_status, render_status

    config = load(args.config, flags={"outbox": args.outbox})
    status = read_status(config.outbox)
    print(json.dumps(status, ensure_ascii=False, indent=2) if args.json else render_status(status))
    return 0 if status["exists"] else 1


if __name__ == "__main__":
    sys.exit(main())
