"""Print an HTML report to a print-ready PDF with headless Chromium (through Playwright).

The donor gets one file: A4, backgrounds printed, page numbers in the footer, and a PDF
outline (bookmarks) built from the HTML headings (Chromium's ``outline``/``tagged`` options),
beside the report's own linked table of contents. Chromium is Debian's package
(``apt-get install chromium``), driven through ``executable_path``; Playwright's own browser
download is never used, so the PDF is printed by the same browser the tests use.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from pathlib import Path

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
FOOTER = {
    "en": "Page <span class='pageNumber'></span> of <span class='totalPages'></span>",
    "es": "Página <span class='pageNumber'></span> de <span class='totalPages'></span>",
}
A4_POINTS = (595.28, 841.89)


class ChromiumNotFound(RuntimeError):
    """No Chromium executable: install Debian's package (``apt-get install -y chromium``)."""


def find_chromium() -> str | None:
    """The Chromium executable: ``EVALUATION_CHROMIUM``, ``/usr/bin/chromium``, or on PATH."""
    for candidate in (os.environ.get("EVALUATION_CHROMIUM"), "/usr/bin/chromium"):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return shutil.which("chromium") or shutil.which("chromium-browser")


def launch(playwright):
    """Launch headless Chromium with the flags this environment needs."""
    exe = find_chromium()
    if exe is None:
        raise ChromiumNotFound(
            "Chromium not found: install it with `apt-get update && apt-get install -y chromium` "
            "(or set EVALUATION_CHROMIUM to its path); never `playwright install`"
        )
    return playwright.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS, headless=True)


def print_pdfs(pairs: Iterable[tuple[Path, Path, str]]) -> list[Path]:
    """Print each ``(html, pdf, language)``; one browser for all. Returns the PDFs written.

    Each PDF is written to a temporary name and renamed, so a crash never leaves half a file.
    """
    from playwright.sync_api import sync_playwright

    pairs = list(pairs)
    written: list[Path] = []
    if not pairs:
        return written
    with sync_playwright() as pw:
        browser = launch(pw)
        try:
            for html_path, pdf_path, language in pairs:
                page = browser.new_page()
                try:
                    page.goto(Path(html_path).resolve().as_uri(), wait_until="load")
                    page.emulate_media(media="print")
                    footer = FOOTER.get(language, FOOTER["en"])
                    tmp = Path(pdf_path).with_suffix(".pdf.tmp")
                    page.pdf(
                        path=str(tmp),
                        format="A4",
                        print_background=True,
                        display_header_footer=True,
                        header_template="<span></span>",
                        footer_template=(
                            "<div style='font-size:9px;width:100%;text-align:center;"
                            f"font-family:sans-serif;color:#444'>{footer}</div>"
                        ),
                        margin={"top": "18mm", "bottom": "20mm", "left": "15mm", "right": "15mm"},
                        outline=True,
                        tagged=True,
                    )
                    os.replace(tmp, pdf_path)
                    written.append(Path(pdf_path))
                finally:
                    page.close()
        finally:
            browser.close()
    return written
