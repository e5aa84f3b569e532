"""Where scans come from: a camera, a video or a folder of images (frames), or a handheld scanner (lines).

All frame sources feed the same loop. A camera is "live": when the decoder is busy its frames are
dropped, never queued. Files are not live: each frame waits its turn, so a test or a demo sees
every image decoded.
"""
import logging
import sys
import time
from pathlib import Path

import cv2

log = logging.getLogger("scanner.sources")

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".webp", ".tif", ".tiff", ".pgm"}


class CameraSource:
    """cv2.VideoCapture on a device index; reopens the camera if it stops delivering."""

    live, kind = True, "frames"

    def __init__(self, index: int, width: int = 640, height: int = 480, reopen_after_s: float = 1.0):
        self.index, self.width, self.height, self.reopen_after_s = index, width, height, reopen_after_s
        self._capture = None

    def __iter__(self):
        try:
            while True:
                frame = self._read()
                if frame is None:
                    time.sleep(self.reopen_after_s)
                    continue
                yield frame
        finally:
            self.close()

    def _read(self):
        if self._capture is None:
            self._capture = cv2.VideoCapture(self.index)
            self._capture.set(cv2.CAP_PROP_FRAME_WIDTH, self.width)
            self._capture.set(cv2.CAP_PROP_FRAME_HEIGHT, self.height)
            self._capture.set(cv2.CAP_PROP_BUFFERSIZE, 1)  # the newest frame, not a backlog
        ok, frame = self._capture.read()
        if not ok:
            log.warning("camera %s gave no frame; reopening", self.index)
            self.close()
            return None
        return frame

    def close(self) -> None:
        if self._capture is not None:
            self._capture.release()
            self._capture = None


class VideoSource:
    live, kind = False, "frames"

    def __init__(self, path: str):
        if not Path(path).is_file():
            raise SourceError(f"video file not found: {path}")
        self.path = path

    def __iter__(self):
        capture = cv2.VideoCapture(self.path)
        try:
            while True:
                ok, frame = capture.read()
                if not ok:
                    return
                yield frame
        finally:
            capture.release()

    def close(self) -> None:
        pass


class ImagesSource:
    """Every image in a folder, in name order, as one frame each."""

    live, kind = False, "frames"

    def __init__(self, folder: str):
        self.folder = Path(folder)
        if not self.folder.is_dir():
            raise SourceError(f"image folder not found: {folder}")

    def __iter__(self):
        for path in sorted(p for p in self.folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES):
            frame = cv2.imread(str(path), cv2.IMREAD_COLOR)
            if frame is None:
                log.warning("skipping unreadable image %s", path.name)
                continue
            yield frame

    def close(self) -> None:
        pass


class HidSource:
    """A keyboard-wedge scanner types the code and Enter: one line on stdin is one scan."""

    live, kind = False, "lines"

    def __init__(self, stream=None):
        self.stream = stream or sys.stdin

    def __iter__(self):
        for line in self.stream:
            payload = line.rstrip("\r\n")
            if payload.strip():
                yield payload

    def close(self) -> None:
        pass


class SourceError(ValueError):
    """The --source value names nothing usable."""


def open_source(spec: str, width: int = 640, height: int = 480):
    """camera:N | video:FILE | images:DIR | hid."""
    kind, _, argument = spec.partition(":")
    if kind == "camera":
        if not argument.isdigit():
            raise SourceError("camera needs a device number, e.g. camera:0")
        return CameraSource(int(argument), width, height)
    if kind == "video" and argument:
        return VideoSource(argument)
    if kind == "images" and argument:
        return ImagesSource(argument)
    if spec == "hid":
        return HidSource()
    raise SourceError(f"unknown source {spec!r}: use camera:N, video:FILE, images:DIR or hid")
