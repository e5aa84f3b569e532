"""Gate end to end, as deployed: the scanner program (scanner.app.build_kiosk, `--source images:DIR
--display none`) reads photos of cards from disk and asks a live server, gunicorn in production
mode on PostgreSQL with the card-service emulator and a warm card cache. Measured: from the moment
a frame has been read to the moment its decision screen is drawn, p50/p95.

Frames are offered one at a time (the next only after the previous decision is drawn), so each
figure is one worker at a gate, not a queue. bench/decode.py part 5 measures the same path inside
one process on SQLite with a per-step breakdown; this one is the production shape.

    .venv/bin/python -m bench.gate_e2e            # 40 cards
"""
import argparse
import statistics
import sys
import threading
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

import cv2
import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import harness  # noqa: E402
from bench.ingest import seed  # noqa: E402

TARGET_P95_MS = 150.0
WARM_GATES = 8  # the cache is per gunicorn worker: scanning each card at 8 other gates reaches both


class PacedFrames:
    """Wraps the images source: notes when each frame was read, and waits for its decision."""

    live, kind = False, "frames"

    def __init__(self, source, timeout_s: float = 10.0):
        self.source, self.timeout_s = source, timeout_s
        self.read_at, self.drawn = [], threading.Semaphore(0)

    def __iter__(self):
        for frame in self.source:
            self.read_at.append(time.perf_counter())
            yield frame
            self.drawn.acquire(timeout=self.timeout_s)

    def close(self):
        self.source.close()


class TimedDisplay:
    """The configured display (one log line per decision), plus the moment each decision is drawn."""

    def __init__(self, display, frames: PacedFrames):
        self.display, self.frames, self.drawn_at, self.kinds = display, frames, [], {}

    def show(self, screen):
        self.display.show(screen)
        if screen.kind != "idle":
            self.drawn_at.append(time.perf_counter())
            self.kinds[screen.kind] = self.kinds.get(screen.kind, 0) + 1
            self.frames.drawn.release()

    def frame(self, frame):
        self.display.frame(frame)

    def close(self):
        self.display.close()


def write_card_photos(folder: Path, payloads: list[str]) -> None:
    from tests.support.card_photos import photo

    folder.mkdir(parents=True, exist_ok=True)
    for index, payload in enumerate(payloads):
        cv2.imwrite(str(folder / f"{index:04d}.png"), photo(payload, seed=index, card_share=0.5))


def warm(server_url: str, tokens: list[str], payloads: list[str]) -> None:
    for token in tokens:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {token}"
        for payload in payloads:
            body = {"id": str(uuid.uuid4()), "payload": payload, "direction": "auto",
                    "scanned_at": datetime.now(timezone.utc).isoformat()}
            session.post(server_url + "/api/v1/scans", json=body, timeout=10).raise_for_status()


def run_scanner(server_url: str, token: str, images: Path, outbox: Path) -> tuple[list[float], dict]:
    from scanner.app import build_kiosk
    from scanner.config import Config

    config = Config(server=server_url, token=token, source=f"images:{images}", display="none",
                    outbox=str(outbox), exit_when_done=True, log_level="WARNING")
    kiosk = build_kiosk(config)
    kiosk.source = PacedFrames(kiosk.source)
    kiosk.display = TimedDisplay(kiosk.display, kiosk.source)
    kiosk.run()
    read_at, drawn_at = kiosk.source.read_at, kiosk.display.drawn_at
    if len(drawn_at) != len(read_at):
        raise RuntimeError(f"{len(read_at)} frames read but {len(drawn_at)} decisions drawn")
    return [(drawn - read) * 1000 for read, drawn in zip(read_at, drawn_at)], kiosk.display.kinds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cards", type=int, default=40)
    args = parser.parse_args()

    folder = harness.instance_dir("gate-e2e")
    with harness.postgres() as url:
        env = harness.app_env(url, folder)
        harness.migrate(env)
        plan = seed(url, folder, sites=1, cards_per_site=args.cards, kiosks_per_site=1 + WARM_GATES)
        lines = plan.plan_file.read_text().splitlines()
        tokens = [line.split("\t")[2] for line in lines if line.startswith("kiosk")]
        payloads = [line.split("\t")[2] for line in lines if line.startswith("card")]
        write_card_photos(folder / "images", payloads)
        cardsim = harness.start_cardsim(plan.cardsim_file)
        server = None
        try:
            server = harness.start_gunicorn({**env, "CARD_SERVICE_URL": cardsim.url})
            warm(server.url, tokens[1:], payloads)
            before = harness.sim_calls(cardsim)
            latencies, kinds = run_scanner(server.url, tokens[0], folder / "images", folder / "outbox.sqlite3")
            card_calls = harness.sim_calls(cardsim) - before
        finally:
            if server:
                server.stop()
            cardsim.stop()
    p50, p95 = statistics.median(latencies), harness.percentile(latencies, 95)
    row = {"frames": len(latencies), "decisions": " ".join(f"{k}={v}" for k, v in sorted(kinds.items())),
           "card calls": card_calls, "p50 ms": p50, "p95 ms": p95, "max ms": max(latencies),
           "target p95 ms": TARGET_P95_MS, "ok": "yes" if p95 <= TARGET_P95_MS else "NO"}
    harness.print_table("Gate end to end: frame read → decision drawn (scanner, images source; "
                        "gunicorn on PostgreSQL, warm card cache)", [row])
    harness.record("gate_e2e", {k.replace(" ", "_"): (round(v, 1) if isinstance(v, float) else v)
                                for k, v in row.items()})


if __name__ == "__main__":
    main()
