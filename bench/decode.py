"""Decoding and gate latency for the kiosk (scanner/): the figures behind the decoder's design.

1. blackbox  zxing's photographed QR set (../shared/testdata/qr-blackbox), upright and over four
             rotations, exact text (expected files read as bytes, decoded as UTF-8), per engine order.
2. frames    per-frame decode time, idle and with a card, at 640x480 and 1280x720 (generated photos).
3. photos    generated card photos under harder gate conditions than the unit tests use.
4. loop      a simulated 30 fps live camera at 1280x720 through the kiosk's frame hand-over:
             capture interval, frames decoded, frames dropped (the loop must never stall).
5. gate      frame with a card → decision on screen through the real Kiosk, against gunicorn
             and the card-service emulator on this machine, with a warm card cache.

    .venv/bin/python -m bench.decode               # all five, a few minutes (5 starts the emulator and gunicorn on SQLite)
    .venv/bin/python -m bench.decode --skip-gate   # 1-4 only, no server needed
"""
import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile
import uuid
import threading
import time
from pathlib import Path

import cv2

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import harness  # noqa: E402
from scanner.client import KioskClient  # noqa: E402
from scanner.config import Config  # noqa: E402
from scanner.decode import Decoder  # noqa: E402
from scanner.display import render  # noqa: E402
from scanner.health import Health  # noqa: E402
from scanner.kiosk import FrameSlot, Kiosk  # noqa: E402
from scanner.outbox import Outbox  # noqa: E402
from scanner.uploader import Uploader  # noqa: E402
from tests.support.blackbox import find_blackbox  # noqa: E402
from tests.support.card_photos import idle_frame, photo  # noqa: E402

BLACKBOX = find_blackbox()
ROTATIONS = (None, cv2.ROTATE_90_CLOCKWISE, cv2.ROTATE_180, cv2.ROTATE_90_COUNTERCLOCKWISE)
ENGINE_ORDERS = (("zxing", "zbar"), ("zxing",), ("zbar",), ("zbar", "zxing"))
CARD = "https://hmskort.no/v/7SYP20eu2K9Ohyp_7wFkqg"
HARD = {
    "blur σ2.5": {"blur": 2.5}, "noise σ30": {"noise": 30.0}, "glare 0.9": {"glare": 0.9},
    "dark ×0.12": {"light": 0.12, "noise": 3.0}, "far 20 %": {"card_share": 0.2},
    "tilt 25 %": {"tilt": 0.25}, "720p far 18 %": {"size": (1280, 720), "card_share": 0.18},
    # The hardest: blur, perspective and a small card at once (about half are readable at all).
    "blur+tilt+far": {"blur": 1.2, "tilt": 0.2, "card_share": 0.4},
    "720p blur+tilt+far": {"size": (1280, 720), "blur": 1.4, "tilt": 0.15, "card_share": 0.3},
}


def label(engines) -> str:
    return "+".join(engines)


# --- 1. blackbox ------------------------------------------------------------------------------

def blackbox_cases():
    with (BLACKBOX / "manifest.csv").open(newline="") as handle:
        for row in csv.DictReader(handle):
            folder = BLACKBOX / row["folder"]
            expected = (folder / row["expected_text_file"]).read_bytes().decode("utf-8")
            yield cv2.imread(str(folder / row["file"]), cv2.IMREAD_UNCHANGED), expected


def plain_pyzbar(image):
    """The baseline: pyzbar.decode as the tutorials use it (QR only, no binary mode, no upscale)."""
    from pyzbar import pyzbar

    gray = image if image.ndim == 2 else cv2.cvtColor(image[..., :3], cv2.COLOR_BGR2GRAY)
    return tuple(d.data.decode("utf-8", "replace") for d in pyzbar.decode(gray, symbols=[pyzbar.ZBarSymbol.QRCODE]))


def bench_blackbox() -> list[dict]:
    cases = list(blackbox_cases())
    readers = {label(e): Decoder(e).decode for e in ENGINE_ORDERS}
    readers["pyzbar.decode (baseline)"] = plain_pyzbar
    rows = []
    for name, read in readers.items():
        counts, misreads, started = [0, 0, 0, 0], 0, time.perf_counter()
        for image, expected in cases:
            for index, rotation in enumerate(ROTATIONS):
                result = read(image if rotation is None else cv2.rotate(image, rotation))
                payloads = result if isinstance(result, tuple) else result.payloads
                counts[index] += expected in payloads
                misreads += bool(payloads) and expected not in payloads
        rows.append({"decoder": name, "upright": counts[0], "90°": counts[1], "180°": counts[2], "270°": counts[3],
                     "all rotations": sum(counts), "misreads": misreads,
                     "s": round(time.perf_counter() - started, 2)})
    rows.append({"decoder": "zxing's own threshold", "upright": 157, "90°": 151, "180°": 151, "270°": 152,
                 "all rotations": 611, "misreads": 0, "s": None})
    return rows


# --- 2. per-frame time ------------------------------------------------------------------------

def timed(decode, frames, repeats: int) -> tuple[list[float], list[float]]:
    """Wall-clock and this thread's CPU time per frame, in ms. On a busy machine the wall clock
    includes waiting for a core; the CPU time is what the decoder itself costs."""
    wall, cpu = [], []
    for _ in range(repeats):
        for frame in frames:
            started, started_cpu = time.perf_counter(), time.thread_time()
            decode(frame)
            wall.append((time.perf_counter() - started) * 1000)
            cpu.append((time.thread_time() - started_cpu) * 1000)
    return wall, cpu


def bench_frames(repeats: int) -> list[dict]:
    rows = []
    for size in ((640, 480), (1280, 720)):
        idle = [idle_frame(seed, size) for seed in range(8)]
        card = [photo(CARD, seed=seed, size=size, card_share=0.5) for seed in range(8)]
        for engines in (("zxing", "zbar"), ("zbar",)):
            decoder = Decoder(engines)
            decoder.decode(card[0])  # warm up
            for kind, frames in (("idle", idle), ("card", card)):
                times, cpu = timed(decoder.decode, frames, repeats)
                reads = sum(bool(decoder.decode(f).payloads) for f in frames)
                target = {(640, "idle"): 10.0, (640, "card"): 15.0}.get((size[0], kind))
                rows.append({"frame": f"{size[0]}x{size[1]}", "content": kind, "decoder": label(engines),
                             "median_ms": round(statistics.median(times), 2),
                             "p95_ms": round(harness.percentile(times, 95), 2),
                             "max_ms": round(max(times), 2), "cpu_median_ms": round(statistics.median(cpu), 2),
                             "read": f"{reads}/{len(frames)}", "target_ms": target})
    return rows


# --- 3. harder photos -------------------------------------------------------------------------

def bench_photos(seeds: int) -> list[dict]:
    """Frames read per engine order, and the union of what zxing alone and zbar alone read: the
    kiosk's order must read at least that (zbar runs only when zxing saw a code it could not read)."""
    decoders = {label(e): Decoder(e) for e in (("zxing", "zbar"), ("zxing",), ("zbar",))}
    rows = []
    for condition, settings in HARD.items():
        frames = [photo(CARD, seed=seed, **settings) for seed in range(seeds)]
        read = {name: {i for i, f in enumerate(frames) if CARD in decoder.decode(f).payloads}
                for name, decoder in decoders.items()}
        union = read["zxing"] | read["zbar"]
        row = {"condition": condition, **{name: f"{len(seen)}/{seeds}" for name, seen in read.items()},
               "zxing ∪ zbar": f"{len(union)}/{seeds}", "union met": "yes" if union <= read["zxing+zbar"] else "NO"}
        rows.append(row)
    return rows


# --- 4. the live loop at 1280x720 ---------------------------------------------------------------

def bench_loop(seconds: float, fps: float = 30.0) -> dict:
    """A camera thread delivering 1280x720 frames at `fps` into the kiosk's FrameSlot, a decoder
    thread as in scanner/kiosk.py. The capture side must keep its rate whatever the decoder does."""
    frames = [photo(CARD, seed=s, size=(1280, 720), card_share=0.35) for s in range(4)]
    frames += [idle_frame(s, (1280, 720)) for s in range(4)]
    slot, decoder, decoded, stop = FrameSlot(), Decoder(), [0], threading.Event()

    def decode_loop():
        while (frame := slot.take()) is not None:
            decoder.decode(frame)
            decoded[0] += 1
            slot.done()

    worker = threading.Thread(target=decode_loop)
    worker.start()
    intervals, dropped, captured = [], 0, 0
    started = last = time.perf_counter()
    while time.perf_counter() - started < seconds:
        time.sleep(max(0.0, 1 / fps - (time.perf_counter() - last)))
        now = time.perf_counter()
        intervals.append((now - last) * 1000)
        last = now
        dropped += not slot.put(frames[captured % len(frames)], live=True)
        captured += 1
    slot.close()
    worker.join()
    stop.set()
    return {"camera_fps": fps, "seconds": seconds, "frames_captured": captured, "frames_decoded": decoded[0],
            "frames_dropped": dropped, "capture_interval_p50_ms": round(statistics.median(intervals), 1),
            "capture_interval_max_ms": round(max(intervals), 1)}


# --- 5. gate latency against a live server ----------------------------------------------------------

def bench_gate(rounds: int) -> dict:
    instance = harness.instance_dir("gate-latency")
    env = harness.app_env(harness.sqlite_url(instance), instance)
    env["CARDSIM_DATA"] = str(instance / "cardsim.json")
    harness.migrate(env)
    seeded = json.loads(subprocess.run([str(harness.VENV_BIN / "flask"), "--app", "wsgi", "demo", "seed", "--json"],
                                       cwd=harness.ROOT, env={**os.environ, **env}, check=True,
                                       capture_output=True, text=True).stdout)
    cardsim = harness.start_cardsim(instance / "cardsim.json")
    server = harness.start_gunicorn({**env, "CARD_SERVICE_URL": cardsim.url})
    try:
        kiosk_row = next(k for k in seeded["kiosks"] if k["site_id"] == 1 and k["mode"] == "auto")
        cards = [c["qr_payload"] for c in seeded["cards"] if c["site_id"] == 1 and c["status"] == "valid"]
        warm = KioskClient(server.url, next(k for k in seeded["kiosks"] if k["site_id"] == 1 and k is not kiosk_row)["token"])
        for payload in cards:  # the server's card cache holds every card (another kiosk, no debounce)
            warm.send_scan({"id": str(uuid.uuid4()), "payload": payload,
                            "scanned_at": time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime()), "direction": "auto"})
        return _gate_rounds(server.url, kiosk_row["token"], cards[:rounds])
    finally:
        server.stop()
        cardsim.stop()


class _Stopwatch:
    """Per-step times (ms) of the gate path, to see where a slow decision spends its time."""

    def __init__(self):
        self.steps: dict[str, list[float]] = {}

    def wrap(self, name: str, function):
        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.steps.setdefault(name, []).append((time.perf_counter() - started) * 1000)
        return timed

    def summary(self) -> dict:
        return {f"{name}_p50/p95_ms": f"{statistics.median(v):.1f}/{harness.percentile(v, 95):.1f}"
                for name, v in self.steps.items()}


class _TimedDisplay:
    """Renders like the real window (render() at 1280x720) and notes when each decision is ready."""

    def __init__(self, stopwatch: _Stopwatch):
        self.shown, self.render = [], stopwatch.wrap("render", render)

    def show(self, screen):
        self.render(screen, (1280, 720))
        if screen.kind != "idle":
            self.shown.append((time.perf_counter(), screen.kind))

    def frame(self, frame):
        pass

    def close(self):
        pass


def _gate_rounds(url: str, token: str, cards: list[str]) -> dict:
    """One frame per card (a different card each time: the server's 30 s debounce would replay a
    repeat); the kiosk's decode and decision threads run as in production."""
    with tempfile.TemporaryDirectory() as scratch:
        config = Config(server=url, token=token, outbox=f"{scratch}/outbox.sqlite3", debounce_gap_s=0.5)
        outbox, client, health, decoder = Outbox(config.outbox), KioskClient(url, token), Health(), Decoder()
        stopwatch = _Stopwatch()
        decoder.decode = stopwatch.wrap("decode", decoder.decode)
        outbox.add = stopwatch.wrap("outbox", outbox.add)
        client.send_scan = stopwatch.wrap("http", client.send_scan)
        display = _TimedDisplay(stopwatch)
        kiosk = Kiosk(config, None, decoder, outbox, client, Uploader(outbox, client, health, config, "bench"),
                      display, health)
        threads = [threading.Thread(target=kiosk._decode_loop, daemon=True),
                   threading.Thread(target=kiosk._decision_loop, daemon=True)]
        for thread in threads:
            thread.start()
        latencies, kinds = [], {}
        for index, payload in enumerate(cards):
            frame = photo(payload, seed=index, card_share=0.5)
            before = len(display.shown)
            handed = time.perf_counter()
            kiosk.slot.put(frame, live=True)
            while len(display.shown) == before:
                time.sleep(0.0005)
            shown_at, kind = display.shown[-1]
            latencies.append((shown_at - handed) * 1000)
            kinds[kind] = kinds.get(kind, 0) + 1
        kiosk.slot.close()
        kiosk.decisions.put(None)
        for thread in threads:
            thread.join(10)
        outbox.close()
    return {"scans": len(latencies), "decisions": kinds, "p50_ms": round(statistics.median(latencies), 1),
            "p95_ms": round(harness.percentile(latencies, 95), 1), "max_ms": round(max(latencies), 1),
            "target_p95_ms": 150, **stopwatch.summary()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--skip-gate", action="store_true", help="skip the gate latency run against a live server")
    parser.add_argument("--only", choices=("blackbox", "frames", "photos", "loop", "gate"),
                        help="run one part only (its figures replace that part in results.json)")
    parser.add_argument("--repeats", type=int, default=8, help="passes over the frames for the timing table")
    parser.add_argument("--loop-seconds", type=float, default=10.0)
    args = parser.parse_args()
    parts = {
        "blackbox": ("zxing blackbox QR set: images read with the exact expected text", bench_blackbox),
        "frames": ("per-frame decode time (generated frames; targets at 640x480)", lambda: bench_frames(args.repeats)),
        "photos": ("generated card photos under hard conditions (read/seeds)", lambda: bench_photos(seeds=20)),
        "loop": ("live loop, 1280x720 camera at 30 fps (one decode in flight, stale frames dropped)",
                 lambda: [bench_loop(args.loop_seconds)]),
        "gate": ("gate latency: frame with a card → decision rendered (live gunicorn + emulator, SQLite, "
                 "warm card cache)", lambda: [bench_gate(rounds=30)]),
    }
    chosen = [args.only] if args.only else [name for name in parts if not (name == "gate" and args.skip_gate)]
    if "blackbox" in chosen and BLACKBOX is None:
        print("(skipped the blackbox: zxing test set not found; set PORTVAKT_QR_BLACKBOX)")
        chosen.remove("blackbox")
    results = json.loads(harness.RESULTS.read_text()).get("decode", {}) if harness.RESULTS.exists() else {}
    results.pop("machine", None)
    for name in chosen:
        title, run = parts[name]
        results[name] = run()
        harness.print_table(title, results[name])
    harness.record("decode", results)

if __name__ == "__main__":
    main()
