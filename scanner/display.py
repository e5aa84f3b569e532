"""What the worker sees: a pure render function (state in, BGR image out) and two thin outputs.

render() draws with Pillow and a Unicode TrueType font because OpenCV's built-in fonts have no
æ, ø, å, ł or ė. Tests compare the pixels render() returns; only WindowDisplay touches highgui.
"""
import logging
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np
import zxingcpp
from PIL import Image, ImageDraw, ImageFont

from scanner import i18n

log = logging.getLogger("scanner.display")

FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
)
BOLD_CANDIDATES = tuple(path.replace("DejaVuSans.ttf", "DejaVuSans-Bold.ttf") for path in FONT_CANDIDATES)

# Panel colours (RGB): green and red mean a server decision; blue-grey means "registered, not decided".
COLOURS = {
    "idle": (38, 50, 56),
    "accepted": (27, 128, 56),
    "rejected": (183, 28, 28),
    "queued": (69, 90, 100),
    "error": (230, 81, 0),
}
BADGE_COLOUR = (255, 193, 7)
PREVIEW_SHARE = 0.4  # the left part of the screen shows the camera
PRIVACY_SHARE = 0.12  # the bottom strip holds the privacy notice


@dataclass(frozen=True)
class Screen:
    """Everything the panel shows; kind is idle | accepted | rejected | queued | error."""

    kind: str = "idle"
    languages: tuple[str, ...] = i18n.DEFAULT_LANGUAGES
    name: str = ""
    employer: str = ""
    direction: str | None = None
    reason: str = ""
    warnings: tuple[str, ...] = ()
    server_message: dict = field(default_factory=dict)
    error: str = ""  # a ui key, for kind == "error"
    offline: bool = False
    privacy_notice: dict = field(default_factory=dict)
    site_name: str = ""
    handheld: bool = False  # a handheld scanner instead of a camera: the idle hint says so
    link: str = ""  # a page for the worker's phone (the site induction), drawn as a QR code


@lru_cache(maxsize=32)
def font(size: int, bold: bool = False):
    for path in BOLD_CANDIDATES if bold else FONT_CANDIDATES:
        if Path(path).is_file():
            return ImageFont.truetype(path, size)
    return ImageFont.load_default(size)


def wrap(text: str, typeface, width: int) -> list[str]:
    """Greedy word wrap by measured width."""
    lines, current = [], ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if current and typeface.getlength(candidate) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    return lines + [current] if current else lines


def headline(screen: Screen, language: str) -> str:
    if screen.kind in ("accepted", "rejected"):
        return i18n.ui(language, screen.kind)
    if screen.kind == "queued":
        return i18n.ui(language, "queued_offline")
    if screen.kind == "error":
        return i18n.ui(language, screen.error or "outbox_failed")
    return i18n.ui(language, "ready_hid" if screen.handheld else "ready")


def detail_lines(screen: Screen, language: str) -> list[str]:
    """The per-language lines under the headline: reason and what to do, warnings."""
    lines = []
    if screen.kind == "queued":
        lines.append(i18n.ui(language, "not_verified"))
    if screen.kind == "accepted" and screen.direction == "out":  # the server's words for an exit
        lines.append(i18n.ui(language, "checked_out"))
    if screen.reason and screen.reason != "ok":
        title, action = i18n.reason(language, screen.reason, screen.server_message)
        lines += [title, action] if action else [title]
    lines += [i18n.warning(language, code) for code in screen.warnings]
    return lines


def render(screen: Screen, size: tuple[int, int] = (1280, 720), preview: np.ndarray | None = None) -> np.ndarray:
    """The whole kiosk screen as a BGR image of size (width, height)."""
    width, height = size
    left = int(width * PREVIEW_SHARE)
    bottom = height - int(height * PRIVACY_SHARE)
    canvas = np.empty((height, width, 3), np.uint8)
    canvas[:bottom, :left] = COLOURS["idle"][::-1]
    # Pillow draws into an "RGB" image with the colours given reversed, so its bytes are already BGR.
    panel = Image.new("RGB", (width - left, bottom), COLOURS.get(screen.kind, COLOURS["idle"])[::-1])
    draw = ImageDraw.Draw(panel)
    _draw_panel(draw, screen, (0, 0, width - left, bottom))
    if screen.offline:
        _draw_badge(draw, screen, (0, 0, width - left, bottom))
    if screen.link:
        _paste_qr(panel, screen.link)
    canvas[:bottom, left:] = np.asarray(panel)
    notices = tuple(screen.privacy_notice.get(lang, "") for lang in screen.languages[:2])
    canvas[bottom:] = privacy_strip(notices, screen.languages[:2], (width, height - bottom))
    if preview is not None:
        place_preview(canvas, preview)
    return canvas


@lru_cache(maxsize=8)
def privacy_strip(notices: tuple[str, ...], languages: tuple[str, ...], size: tuple[int, int]) -> np.ndarray:
    """The privacy notice strip (BGR); it changes only with the server's configuration, so it is cached."""
    width, height = size
    strip = Image.new("RGB", size, (20, 20, 20))
    draw = ImageDraw.Draw(strip)
    typeface = font(max(9, height // 5))
    y = 4
    for language, notice in zip(languages, notices):
        y = _text(draw, (8, y), notice or i18n.ui(language, "privacy_default"), typeface, width - 16,
                  fill=(200, 200, 200))
    strip_bgr = np.asarray(strip)[..., ::-1].copy()
    strip_bgr.flags.writeable = False
    return strip_bgr


def place_preview(canvas: np.ndarray, frame: np.ndarray) -> None:
    """Fit the camera frame into the left part of the screen (in place; cheap enough per frame)."""
    height, width = canvas.shape[:2]
    box_w, box_h = int(width * PREVIEW_SHARE), height - int(height * PRIVACY_SHARE)
    scale = min(box_w / frame.shape[1], box_h / frame.shape[0])
    fitted = cv2.resize(frame, (max(1, int(frame.shape[1] * scale)), max(1, int(frame.shape[0] * scale))))
    if fitted.ndim == 2:
        fitted = cv2.cvtColor(fitted, cv2.COLOR_GRAY2BGR)
    y0, x0 = (box_h - fitted.shape[0]) // 2, (box_w - fitted.shape[1]) // 2
    canvas[y0:y0 + fitted.shape[0], x0:x0 + fitted.shape[1]] = fitted


def _draw_panel(draw: ImageDraw.ImageDraw, screen: Screen, box) -> None:
    x0, y0, x1, y1 = box
    margin = max(12, (x1 - x0) // 30)
    inner = x1 - x0 - 2 * margin
    y = y0 + margin
    big, medium, small = font(max(14, (y1 - y0) // 12), True), font(max(12, (y1 - y0) // 20), True), font(max(10, (y1 - y0) // 30))
    primary, *others = screen.languages
    y = _text(draw, (x0 + margin, y), headline(screen, primary), big, inner)
    if screen.direction in ("in", "out") and screen.kind == "accepted":
        directions = " / ".join(dict.fromkeys(i18n.ui(lang, f"direction_{screen.direction}") for lang in screen.languages))
        y = _text(draw, (x0 + margin, y), directions, big, inner)
    for value in (screen.name, screen.employer):
        if value:
            y = _text(draw, (x0 + margin, y), value, medium, inner)
    for language in screen.languages:
        lines = detail_lines(screen, language)
        if language != primary and screen.kind != "accepted":
            lines = [headline(screen, language)] + lines
        for line in lines:
            y = _text(draw, (x0 + margin, y), line, small, inner)
        y += margin // 3
    if screen.kind == "accepted":
        reminder = " · ".join(i18n.ui(lang, "compare_photo") for lang in screen.languages[:2])
        _text(draw, (x0 + margin, max(y, y1 - 3 * margin)), reminder, small, inner)


def _paste_qr(panel: Image.Image, link: str) -> None:
    """The link as a QR code in the panel's lower right corner, for the worker's phone camera.

    zxing-cpp (already the kiosk's decoder) also writes codes: no new dependency for this."""
    code = zxingcpp.create_barcode(link, zxingcpp.BarcodeFormat.QRCode)
    side = min(panel.size) // 3
    image = Image.fromarray(np.asarray(code.to_image(scale=1, add_quiet_zones=True))).convert("RGB")
    image = image.resize((side, side), Image.NEAREST)
    panel.paste(image, (panel.size[0] - side - 12, panel.size[1] - side - 12))


def _draw_badge(draw: ImageDraw.ImageDraw, screen: Screen, box) -> None:
    x0, y0, x1, _ = box
    typeface = font(max(12, (box[3] - y0) // 22), True)
    label = " / ".join(dict.fromkeys(i18n.ui(lang, "offline_badge") for lang in screen.languages[:2]))
    text_w = int(typeface.getlength(label))
    draw.rectangle((x1 - text_w - 24, y0, x1, y0 + typeface.size + 16), fill=BADGE_COLOUR[::-1])
    draw.text((x1 - text_w - 12, y0 + 8), label, font=typeface, fill=(0, 0, 0))


def _text(draw, origin, text, typeface, width, fill=(255, 255, 255)) -> int:
    """Draw wrapped text; return the y below it."""
    x, y = origin
    for line in wrap(text, typeface, width):
        draw.text((x, y), line, font=typeface, fill=fill)
        y += int(typeface.size * 1.2)
    return y


class DisplayError(RuntimeError):
    """The window cannot be opened on this machine."""


class LogDisplay:
    """--display none: one log line per decision, with no personal data (no name, no card number)."""

    def show(self, screen: Screen) -> None:
        if screen.kind == "idle":
            return
        log.info("decision kind=%s direction=%s reason=%s warnings=%s offline=%s", screen.kind,
                 screen.direction or "-", screen.reason or screen.error or "-",
                 ",".join(screen.warnings) or "-", screen.offline)

    def frame(self, frame) -> None:
        pass

    def close(self) -> None:
        pass


class WindowDisplay:
    """--display window: full-screen OpenCV highgui window, the panel redrawn only when it changes."""

    NAME = "Portvakt"

    def __init__(self, size: tuple[int, int] = (1280, 720), hold_s: float = 4.0, clock=None):
        import time

        self.size, self.hold_s, self._clock = size, hold_s, clock or time.monotonic
        self._lock = threading.Lock()  # show() runs on the decision thread, frame() on the capture loop
        self._base = render(Screen(), size)
        self._idle = Screen()
        self._shown_at = 0.0
        try:
            cv2.namedWindow(self.NAME, cv2.WINDOW_NORMAL)
        except cv2.error as error:
            raise DisplayError("this OpenCV has no window support (opencv-python-headless?); install "
                               "scanner/requirements.txt on the kiosk or use --display none") from error
        cv2.setWindowProperty(self.NAME, cv2.WND_PROP_FULLSCREEN, cv2.WINDOW_FULLSCREEN)

    def show(self, screen: Screen) -> None:
        base = render(screen, self.size)  # outside the lock: the preview keeps moving meanwhile
        with self._lock:
            if screen.kind == "idle":
                self._idle = screen
                if self._shown_at:
                    return  # a decision is on screen; the idle screen comes back after hold_s
            else:
                self._shown_at = self._clock()
            self._base = base

    def frame(self, frame) -> None:
        with self._lock:
            if self._shown_at and self._clock() - self._shown_at > self.hold_s:
                self._shown_at = 0.0
                self._base = render(self._idle, self.size)
            canvas = self._base.copy()
        if frame is not None:  # None with a handheld scanner: there is no camera picture
            place_preview(canvas, frame)
        cv2.imshow(self.NAME, canvas)
        cv2.waitKey(1)

    def close(self) -> None:
        cv2.destroyAllWindows()
