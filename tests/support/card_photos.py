"""Synthetic photos of HMS cards for the scanner's tests: a card with a real QR code, placed in a
camera frame with perspective, blur, noise, glare or low light. Deterministic for a given seed.

Codes are made with segno.make_qr (never segno.make, which picks Micro QR for short texts, and no
HMS card carries Micro QR).
"""
import cv2
import numpy as np
import segno

CARD_SIZE = (856, 540)  # ID-1 card proportions, 10 px per mm


def qr_image(payload: str, module_px: int = 8, border: int = 4) -> np.ndarray:
    """A grayscale QR code, black on white, `border` modules of quiet zone."""
    matrix = np.array(segno.make_qr(payload, error="m", encoding="utf-8").matrix, dtype=np.uint8)
    modules = np.pad(matrix, border)
    image = np.where(modules == 1, 0, 255).astype(np.uint8)
    return cv2.resize(image, None, fx=module_px, fy=module_px, interpolation=cv2.INTER_NEAREST)


def card_image(payload: str, rng: np.random.Generator) -> np.ndarray:
    """A BGR card: coloured header, a photo box, text-like bars and the QR code on the right."""
    width, height = CARD_SIZE
    card = np.full((height, width, 3), 245, np.uint8)
    card[:90] = (40, 90, 200)  # header band
    cv2.rectangle(card, (40, 130), (240, 400), (150, 140, 130), -1)  # the holder's photo
    for row in range(5):
        y = 150 + row * 45
        cv2.rectangle(card, (270, y), (270 + int(rng.integers(120, 230)), y + 18), (60, 60, 60), -1)
    code = qr_image(payload, module_px=8)
    side = min(360, height - 140)
    code = cv2.resize(code, (side, side), interpolation=cv2.INTER_AREA)
    x0, y0 = width - side - 30, height - side - 30
    card[y0:y0 + side, x0:x0 + side] = cv2.cvtColor(code, cv2.COLOR_GRAY2BGR)
    return card


def background(size: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    """A cluttered, softly lit scene (a gate, a jacket) with sensor noise."""
    width, height = size
    base = rng.integers(60, 140, (height // 8 + 1, width // 8 + 1, 3), dtype=np.uint8)
    scene = cv2.resize(base, (width, height), interpolation=cv2.INTER_CUBIC)
    for _ in range(12):
        x, y = int(rng.integers(0, width)), int(rng.integers(0, height))
        colour = tuple(int(c) for c in rng.integers(0, 255, 3))
        cv2.rectangle(scene, (x, y), (x + int(rng.integers(20, 200)), y + int(rng.integers(20, 200))), colour, -1)
    return cv2.GaussianBlur(scene, (0, 0), 3)


def photo(payload: str, seed: int = 0, size: tuple[int, int] = (640, 480), card_share: float = 0.75,
          tilt: float = 0.08, blur: float = 0.0, noise: float = 4.0, glare: float = 0.0,
          light: float = 1.0, rotate: float = 0.0) -> np.ndarray:
    """A camera frame showing the card. tilt: perspective as a share of the card's size; blur:
    Gaussian sigma in px; noise: sensor noise sigma; glare: 0..1 strength of a bright spot;
    light: brightness factor (0.3 = a dim gate at dawn); rotate: degrees in the image plane."""
    rng = np.random.default_rng(seed)
    width, height = size
    frame = background(size, rng)
    card = card_image(payload, rng)
    card_w = width * card_share
    card_h = card_w * CARD_SIZE[1] / CARD_SIZE[0]
    centre = np.array([width / 2, height / 2]) + rng.uniform(-0.05, 0.05, 2) * (width, height)
    corners = np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]], np.float32) * (card_w / 2, card_h / 2)
    angle = np.deg2rad(rotate)
    turn = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    corners = corners @ turn.T + centre + rng.uniform(-tilt, tilt, (4, 2)) * (card_w, card_h)
    source = np.array([[0, 0], [CARD_SIZE[0], 0], [CARD_SIZE[0], CARD_SIZE[1]], [0, CARD_SIZE[1]]], np.float32)
    warp = cv2.getPerspectiveTransform(source, corners.astype(np.float32))
    warped = cv2.warpPerspective(card, warp, size, flags=cv2.INTER_LINEAR)
    mask = cv2.warpPerspective(np.full(card.shape[:2], 255, np.uint8), warp, size)
    frame[mask > 0] = warped[mask > 0]
    return _camera(frame, rng, blur, noise, glare, light)


def _camera(frame: np.ndarray, rng, blur: float, noise: float, glare: float, light: float) -> np.ndarray:
    image = frame.astype(np.float32)
    if glare:
        height, width = image.shape[:2]
        yy, xx = np.mgrid[0:height, 0:width]
        cx, cy = rng.uniform(0.6, 0.75) * width, rng.uniform(0.45, 0.65) * height  # over the code
        spot = np.exp(-(((xx - cx) ** 2) + ((yy - cy) ** 2)) / (2 * (0.12 * width) ** 2))
        image += (255 * glare * spot)[..., None]
    image *= light
    if blur:
        image = cv2.GaussianBlur(image, (0, 0), blur)
    if noise:
        image += rng.normal(0, noise, image.shape)
    return np.clip(image, 0, 255).astype(np.uint8)


def idle_frame(seed: int = 0, size: tuple[int, int] = (640, 480), noise: float = 4.0) -> np.ndarray:
    """A frame with no card in it: what the camera sees between workers."""
    rng = np.random.default_rng(seed)
    return _camera(background(size, rng), rng, 0.0, noise, 0.0, 1.0)


# Conditions the tests and the bench use; each must be read for the kiosk to be usable at a gate.
CONDITIONS = {
    "plain": {},
    "perspective": {"tilt": 0.15},
    "rotated": {"rotate": 35.0, "card_share": 0.6},
    "blur": {"blur": 1.6},
    "noise": {"noise": 14.0},
    "glare": {"glare": 0.55},
    "low_light": {"light": 0.3, "noise": 3.0},
    "far": {"card_share": 0.4},
    "hd_far": {"size": (1280, 720), "card_share": 0.3},
}
