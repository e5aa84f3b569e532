"""The panel is a pure function: compare pixels, never windows."""
import numpy as np
import pytest

from scanner.display import COLOURS, PREVIEW_SHARE, LogDisplay, Screen, render

SIZE = (960, 540)


def panel_pixel(image, x_share=0.95, y_share=0.6):
    height, width = image.shape[:2]
    b, g, r = image[int(height * y_share), int(width * x_share)]
    return int(r), int(g), int(b)


@pytest.mark.parametrize("kind", ["idle", "accepted", "rejected", "queued", "error"])
def test_panel_colour_says_the_decision(kind):
    image = render(Screen(kind=kind, reason="card_expired" if kind == "rejected" else ""), SIZE)
    assert image.shape == (SIZE[1], SIZE[0], 3) and image.dtype == np.uint8
    assert panel_pixel(image) == COLOURS[kind]


def test_offline_screen_is_never_green_or_red():
    image = render(Screen(kind="queued", offline=True), SIZE)
    colours = {tuple(int(c) for c in pixel[::-1]) for pixel in image.reshape(-1, 3)[::97]}
    assert COLOURS["accepted"] not in colours and COLOURS["rejected"] not in colours


def test_offline_badge_appears_only_when_offline():
    online, offline = (render(Screen(kind="idle", offline=flag), SIZE) for flag in (False, True))
    corner = (slice(0, 20), slice(SIZE[0] - 20, SIZE[0]))
    assert (online[corner] != offline[corner]).any()
    assert (offline[corner][..., ::-1] == (255, 193, 7)).all(axis=-1).any()


def test_text_is_drawn_in_unicode_not_question_marks():
    a = render(Screen(kind="accepted", name="Øyvind Åsheim"), SIZE)
    b = render(Screen(kind="accepted", name="Oyvind Asheim"), SIZE)
    assert (a != b).any()


def test_each_language_adds_text():
    two = render(Screen(kind="rejected", reason="card_lost", languages=("nb", "en")), SIZE)
    four = render(Screen(kind="rejected", reason="card_lost", languages=("nb", "en", "pl", "lt")), SIZE)
    assert (two != four).sum() > 500


def test_rejection_shows_reason_and_accepted_shows_the_photo_reminder():
    plain = render(Screen(kind="rejected"), SIZE)
    with_reason = render(Screen(kind="rejected", reason="card_expired"), SIZE)
    assert (plain != with_reason).any()
    accepted = render(Screen(kind="accepted"), SIZE)
    bottom_of_panel = (slice(int(SIZE[1] * 0.72), int(SIZE[1] * 0.85)), slice(int(SIZE[0] * 0.42), SIZE[0]))
    assert (accepted[bottom_of_panel] == 255).all(axis=-1).any()  # white reminder text


def test_preview_fills_the_left_part_only():
    preview = np.full((480, 640, 3), (0, 0, 255), np.uint8)
    image = render(Screen(), SIZE, preview=preview)
    assert tuple(image[SIZE[1] // 3, int(SIZE[0] * PREVIEW_SHARE * 0.5)]) == (0, 0, 255)
    assert panel_pixel(image) == COLOURS["idle"]


def test_privacy_notice_from_the_server_is_shown():
    default = render(Screen(), SIZE)
    custom = render(Screen(privacy_notice={"nb": "Behandlingsansvarlig: Fjordbygg Eiendom AS", "en": "Controller: X"}), SIZE)
    strip = slice(int(SIZE[1] * 0.9), SIZE[1])
    assert (default[strip] != custom[strip]).any()


def test_log_display_writes_one_line_per_decision_without_personal_data(caplog):
    caplog.set_level("INFO", logger="scanner.display")
    display = LogDisplay()
    display.show(Screen(kind="idle"))
    display.show(Screen(kind="accepted", name="Kari Nordmann", employer="Nordbygg AS", direction="in", reason="ok"))
    assert len(caplog.records) == 1
    line = caplog.records[0].getMessage()
    assert "kind=accepted" in line and "direction=in" in line
    assert "Kari" not in line and "Nordbygg" not in line


def test_idle_hint_fits_the_input():
    camera, handheld = render(Screen(), SIZE), render(Screen(handheld=True), SIZE)
    assert (camera != handheld).any()


def test_a_refusal_with_a_link_shows_it_as_a_qr_code_a_phone_can_read():
    """No induction yet: the worker's phone opens the induction from the gate's screen."""
    import zxingcpp

    link = "https://portvakt.example.no/induction/eyJwIjo0Mn0.abc"
    image = render(Screen(kind="rejected", reason="induction_missing", languages=("nb", "en"), link=link))
    assert [code.text for code in zxingcpp.read_barcodes(image)] == [link]
    assert zxingcpp.read_barcodes(render(Screen(kind="rejected", reason="induction_missing"))) == []
