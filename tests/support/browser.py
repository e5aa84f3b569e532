"""Headless Chromium for the browser tests: Debian's own binary, never a downloaded browser build."""
import os
import shutil
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.support.processes import ROOT

CHROMIUM = "/usr/bin/chromium"
# No sandbox (containers), no GPU, and nothing that talks to Google while the tests run.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


def require_chromium() -> None:
    """Skip without Debian's chromium, except in CI, where a missing browser is a failure."""
    if Path(CHROMIUM).exists():
        return
    message = f"{CHROMIUM} is missing: scripts/test.sh installs Debian's chromium package"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)


def fresh_screenshot_folder() -> Path:
    if SCREENSHOTS.exists():
        shutil.rmtree(SCREENSHOTS)
    SCREENSHOTS.mkdir(parents=True)
    return SCREENSHOTS


@contextmanager
def desktop_page():
    """One page of Debian's chromium at desktop width, in Norwegian, closed afterwards."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch(playwright)
        context = chromium.new_context(viewport=DESKTOP, locale="nb-NO")
        try:
            yield context.new_page()
        finally:
            context.close()
            chromium.close()
