"""Every report page in a real browser: Debian's headless Chromium driven by Playwright.

Chromium comes from apt (installed here when missing, as .ci/run does); Playwright's own
browser download is never used. On the shared run of tests/conftest.py: each page loads with
no console error, no page error and no failed request; each image decodes (naturalWidth > 0);
each link of index.html opens.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from evaluation.reporting import pdf

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def _ensure_chromium() -> str:
    exe = pdf.find_chromium()
    if exe:
        return exe
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        pytest.skip("Chromium is missing and apt-get (as root) is unavailable to install it")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env, timeout=600)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", "chromium"], check=True, env=env, timeout=900
    )
    exe = pdf.find_chromium()
    assert exe, "apt-get installed chromium but no executable was found"
    return exe


@pytest.fixture(scope="module")
def browser():
    _ensure_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pdf.launch(pw)
        yield b
        b.close()


def _pages(reports: Path) -> list[Path]:
    return sorted(p for p in reports.rglob("*.html") if ".cache" not in p.parts)


def test_every_page_loads_cleanly_and_every_image_renders(pipeline_run, browser):
    pages = _pages(pipeline_run.reports)
    assert len(pages) >= 9
    n_images = 0
    for path in pages:
        page = browser.new_page()
        problems: list[str] = []
        page.on("console", lambda m, p=problems: p.append(f"console {m.type}: {m.text}")
                if m.type == "error" else None)  # fmt: skip
        page.on("pageerror", lambda e, p=problems: p.append(f"page error: {e}"))
        page.on("requestfailed", lambda r, p=problems: p.append(f"request failed: {r.url}"))
        page.goto(path.resolve().as_uri(), wait_until="load")
        images = page.evaluate(
            "Array.from(document.images).map(i => [i.src.slice(0, 40), i.complete, i.naturalWidth])"
        )
        page.close()
        assert problems == [], f"{path.name}: {problems}"
        for src, complete, width in images:
            assert complete and width > 0, f"{path.name}: image {src} did not render"
        n_images += len(images)
    assert n_images >= 2  # the test notebooks' histograms at least


def test_every_index_link_opens(pipeline_run, browser):
    reports = pipeline_run.reports
    page = browser.new_page()
    page.goto((reports / "index.html").resolve().as_uri(), wait_until="load")
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
    assert len(hrefs) >= 10
    for href in hrefs:
        assert href.startswith("file://"), href
        target = Path(href.removeprefix("file://"))
        assert target.is_file(), f"index link {href} does not resolve"
        if target.suffix == ".html":  # pages open in the browser; tables and PDFs download
            response = page.goto(href, wait_until="load")
            assert response is None or response.ok, href
            assert page.title(), f"{href} has no title"
    page.close()
