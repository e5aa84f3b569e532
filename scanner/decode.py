"""Turn a grayscale frame into QR payloads: the fast engine on every frame, slower help only when it pays.

Measured in bench/decode.py (see bench/README.md): zxing-cpp reads more of zxing's photographed test
set than zbar and costs a fraction of zbar's time on a 640x480 frame (the figures are in the
"Decode" section there). So zxing-cpp runs on every frame; a 2x upscale (small codes far from the lens) runs on small frames
or around a code zxing saw but could not read; zbar (through pyzbar's ctypes binding, QR only, binary
mode so it does not guess the text's character set) gets a try only when a code is in view and
unread. The engine order is configurable so the bench can measure the alternatives.
"""
from ctypes import byref, c_int, c_void_p, cast, string_at
from dataclasses import dataclass

import cv2
import numpy as np
import zxingcpp

ENGINES = ("zxing", "zbar")
UPSCALE_MAX_SIDE = 800  # frames up to this size are upscaled whole when nothing was read
ROI_PADDING = 0.25


@dataclass(frozen=True)
class DecodeResult:
    """What one frame held: the payloads read, which stage read them, whether a code was in view."""

    payloads: tuple[str, ...] = ()
    stage: str | None = None
    code_seen: bool = False


def text_from_bytes(raw: bytes) -> str:
    """QR byte-mode text has no reliable charset: UTF-8 first (what HMS cards and most phones use),
    then the two legacy Asian encodings QR codes are known to carry, then Latin-1 (never fails)."""
    for encoding in ("utf-8", "shift_jis", "big5"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")


class ZxingReader:
    """zxing-cpp restricted to QR codes; also reports codes it found but could not decode."""

    name = "zxing"

    def read(self, gray: np.ndarray) -> tuple[list[str], list]:
        found = zxingcpp.read_barcodes(gray, formats=zxingcpp.BarcodeFormat.QRCode,
                                       text_mode=zxingcpp.TextMode.Plain, return_errors=True)
        payloads = [barcode.text for barcode in found if barcode.valid]
        corners = [_corners(barcode.position) for barcode in found if not barcode.valid]
        return payloads, corners


class ZbarReader:
    """zbar through pyzbar's ctypes wrapper, with one scanner kept for the reader's lifetime.

    pyzbar.decode() cannot set ZBAR_CFG_BINARY; without it zbar "guesses" the charset of byte-mode
    text and turns UTF-8 such as "Ø" into mojibake (pyzbar issue #14, zbar issue #212). Not
    thread-safe: give each decoding thread its own reader.
    """

    name = "zbar"
    _Y800 = 0x30303859  # fourcc "Y800": 8-bit grayscale

    def __init__(self):
        from pyzbar import wrapper  # imported here: loading libzbar is only needed when zbar is used

        self._zbar = wrapper
        self._scanner = wrapper.zbar_image_scanner_create()
        wrapper.zbar_image_scanner_set_config(self._scanner, 0, wrapper.ZBarConfig.CFG_ENABLE, 0)
        wrapper.zbar_image_scanner_set_config(self._scanner, wrapper.ZBarSymbol.QRCODE,
                                              wrapper.ZBarConfig.CFG_ENABLE, 1)
        self.binary = self._configure(b"qrcode.binary=1")

    def _configure(self, setting: bytes) -> bool:
        symbology, config, value = c_int(), c_int(), c_int()
        if self._zbar.zbar_parse_config(setting, byref(symbology), byref(config), byref(value)):
            return False  # a zbar older than 0.23.1 does not know the setting
        return self._zbar.zbar_image_scanner_set_config(
            self._scanner, symbology.value, config.value, value.value) == 0

    def read(self, gray: np.ndarray) -> tuple[list[str], list]:
        zbar = self._zbar
        height, width = gray.shape
        pixels = np.ascontiguousarray(gray).tobytes()
        image = zbar.zbar_image_create()
        try:
            zbar.zbar_image_set_format(image, self._Y800)
            zbar.zbar_image_set_size(image, width, height)
            zbar.zbar_image_set_data(image, cast(pixels, c_void_p), len(pixels), None)
            zbar.zbar_scan_image(self._scanner, image)
            return [text_from_bytes(raw) for raw in self._symbols(image)], []
        finally:
            zbar.zbar_image_destroy(image)

    def _symbols(self, image):
        symbol = self._zbar.zbar_image_first_symbol(image)
        while symbol:
            yield string_at(self._zbar.zbar_symbol_get_data(symbol),
                            self._zbar.zbar_symbol_get_data_length(symbol))
            symbol = self._zbar.zbar_symbol_next(symbol)

    def __del__(self):
        scanner = getattr(self, "_scanner", None)
        if scanner:
            self._zbar.zbar_image_scanner_destroy(scanner)


def _corners(position) -> np.ndarray:
    points = (position.top_left, position.top_right, position.bottom_right, position.bottom_left)
    return np.array([(p.x, p.y) for p in points], dtype=np.int32)


def make_reader(name: str):
    """A reader by engine name ("zxing" or "zbar")."""
    readers = {"zxing": ZxingReader, "zbar": ZbarReader}
    if name not in readers:
        raise ValueError(f"unknown decoder engine {name!r}; choose from {', '.join(ENGINES)}")
    return readers[name]()


def to_gray(image: np.ndarray) -> np.ndarray:
    """Grayscale once, at the edge: every engine and preprocessing step works on one channel."""
    if image.ndim == 2:
        return image
    if image.shape[2] == 4:
        return cv2.cvtColor(image, cv2.COLOR_BGRA2GRAY)
    return cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)


def upscale(gray: np.ndarray) -> np.ndarray:
    return cv2.resize(gray, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC)


def region_around(corners: list, shape: tuple) -> tuple[slice, slice] | None:
    """The padded bounding box of the codes an engine saw, clipped to the frame."""
    if not corners:
        return None
    points = np.vstack(corners)
    (x0, y0), (x1, y1) = points.min(axis=0), points.max(axis=0)
    pad = int(max(x1 - x0, y1 - y0) * ROI_PADDING) + 8
    height, width = shape
    x0, y0 = max(0, x0 - pad), max(0, y0 - pad)
    x1, y1 = min(width, x1 + pad), min(height, y1 + pad)
    if x1 - x0 < 16 or y1 - y0 < 16:
        return None
    return slice(y0, y1), slice(x0, x1)


class Decoder:
    """The per-frame pipeline. Not thread-safe (zbar keeps state): one Decoder per decoding thread."""

    def __init__(self, engines: tuple[str, ...] = ENGINES, upscale_max_side: int = UPSCALE_MAX_SIDE):
        self.readers = [make_reader(name) for name in engines]
        self.upscale_max_side = upscale_max_side

    def decode(self, image: np.ndarray) -> DecodeResult:
        """Read the QR codes in one frame (BGR or grayscale)."""
        gray = to_gray(image)
        primary, *others = self.readers
        payloads, corners = primary.read(gray)
        if payloads:
            return DecodeResult(tuple(payloads), primary.name, True)
        seen = bool(corners)
        region = region_around(corners, gray.shape)
        if region is None and max(gray.shape) > self.upscale_max_side:
            # Big frames are never upscaled whole (4x the pixels); without a usable region the
            # next frame is the better try.
            return DecodeResult(code_seen=seen)
        patch = gray if region is None else gray[region]
        enlarged = upscale(patch)
        payloads, more_corners = primary.read(enlarged)
        if payloads:
            return DecodeResult(tuple(payloads), f"{primary.name}_upscaled", True)
        seen = seen or bool(more_corners)
        if not seen:
            return DecodeResult()
        for reader in others:  # slower engines only when a code is in view but still unread
            for name, picture in ((reader.name, gray), (f"{reader.name}_upscaled", enlarged)):
                payloads, _ = reader.read(picture)
                if payloads:
                    return DecodeResult(tuple(payloads), name, True)
        return DecodeResult(code_seen=True)
