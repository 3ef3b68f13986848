"""The HTML report as a browser shows it: headless Chromium (Debian's `chromium`) screenshots it,
and the pixels must show the verdict banner's colour and both chart series near the top.

Without Chromium the test is skipped with the reason printed, unless REQUIRE_CHROMIUM=1 (CI),
which makes it fail instead.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from bigcommerce_iterable_reconcile.report_html import (
    AGREE_COLOUR,
    BIGCOMMERCE_COLOUR,
    DISAGREE_COLOUR,
    ITERABLE_COLOUR,
)

from .conftest import Injected, ReconcileRun

WIDTH, HEIGHT = 1100, 900
BANNER_ROWS = 90  # the verdict banner is the first ~100 px
CHROMIUM_TIMEOUT_SECONDS = 120


def _chromium() -> str:
    found = shutil.which("chromium") or (
        "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
    )
    if found:
        return found
    reason = "chromium is not installed (apt-get install -y --no-install-recommends chromium)"
    if os.environ.get("REQUIRE_CHROMIUM") == "1":
        pytest.fail(f"REQUIRE_CHROMIUM=1 but {reason}")
    pytest.skip(reason)


def _screenshot(html: Path, tmp_path: Path) -> Image.Image:
    png = tmp_path / "report.png"
    command = [
        _chromium(),
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--hide-scrollbars", f"--user-data-dir={tmp_path / 'profile'}",
        f"--screenshot={png}", f"--window-size={WIDTH},{HEIGHT}", html.as_uri(),
    ]  # fmt: skip
    subprocess.run(
        command,
        capture_output=True,
        timeout=CHROMIUM_TIMEOUT_SECONDS,
        check=True,
    )
    return Image.open(png).convert("RGB")


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _share(image: Image.Image, colour: str, box: tuple[int, int, int, int]) -> float:
    """Share of the pixels in `box` within a small distance of `colour` (anti-aliasing)."""
    target = _rgb(colour)
    data = image.crop(box).tobytes()  # RGB triples
    pixels = [data[i : i + 3] for i in range(0, len(data), 3)]
    close = sum(1 for p in pixels if all(abs(a - b) <= 12 for a, b in zip(p, target, strict=True)))
    return close / len(pixels)


def _check(image: Image.Image, verdict_colour: str, other_colour: str) -> None:
    banner = (0, 0, WIDTH, BANNER_ROWS)
    assert _share(image, verdict_colour, banner) > 0.5, "verdict banner colour not visible"
    assert _share(image, other_colour, banner) == 0
    chart_area = (0, BANNER_ROWS, WIDTH, HEIGHT)
    assert _share(image, BIGCOMMERCE_COLOUR, chart_area) > 0.001, "BigCommerce series missing"
    assert _share(image, ITERABLE_COLOUR, chart_area) > 0.0005, "Iterable series missing"


def test_disagreeing_report_shows_red_verdict_and_both_series(injected: Injected, tmp_path: Path):
    image = _screenshot(injected.run.out_dir / "report.html", tmp_path)
    _check(image, DISAGREE_COLOUR, AGREE_COLOUR)


def test_agreeing_report_shows_green_verdict_and_both_series(
    clean_run: ReconcileRun, tmp_path: Path
):
    image = _screenshot(clean_run.out_dir / "report.html", tmp_path)
    _check(image, AGREE_COLOUR, DISAGREE_COLOUR)
