"""Shared pytest setup: headless Debian Chromium for dash_duo browser tests."""
from __future__ import annotations

import shutil

from selenium.webdriver.chrome.options import Options


def pytest_setup_options():
    """Options for dash[testing]'s Chrome webdriver (Debian chromium + chromium-driver)."""
    options = Options()
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    if binary:
        options.binary_location = binary
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--window-size=1400,1000",
                "--enable-unsafe-swiftshader"):  # software WebGL for the MapLibre map (headless, no GPU)
        options.add_argument(arg)
    return options
