"""Where zxing's photographed QR test set lives (../shared/testdata/qr-blackbox beside the repo).

A clean clone may sit anywhere, so the folder is looked up in order: PORTVAKT_QR_BLACKBOX, the
folder beside the checkout, then the workplace's shared folder.
"""
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CANDIDATES = (
    os.environ.get("PORTVAKT_QR_BLACKBOX", ""),
    str(ROOT.parent / "shared" / "testdata" / "qr-blackbox"),
    "/work/shared/testdata/qr-blackbox",
)


def find_blackbox() -> Path | None:
    for candidate in CANDIDATES:
        if candidate and (Path(candidate) / "manifest.csv").is_file():
            return Path(candidate)
    return None
