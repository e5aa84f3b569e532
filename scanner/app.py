"""Build a Kiosk from a Config: the one place that picks concrete parts (the composition root)."""
import time

from scanner import VERSION
from scanner.client import KioskClient
from scanner.decode import Decoder
from scanner.display import LogDisplay, WindowDisplay
from scanner.health import Health
from scanner.kiosk import Kiosk
from scanner.outbox import Outbox
from scanner.sources import open_source
from scanner.uploader import Uploader


def build_kiosk(config) -> Kiosk:
    source = open_source(config.source, config.camera_width, config.camera_height)
    decoder = Decoder(config.engine_list())
    outbox = Outbox(config.outbox)
    client = KioskClient(config.server, config.token, timeout=config.request_timeout_s)
    health = Health()
    uploader = Uploader(outbox, client, health, config, version=VERSION)
    display = WindowDisplay() if config.display == "window" else LogDisplay()
    return Kiosk(config, source, decoder, outbox, client, uploader, display, health, clock=time.monotonic)
