"""Notebook sources: what a reader of a page sees is the cells' output only.

The pages are exported with code hidden, so a Markdown cell would print its text to every
reader of the report, in English, whatever the report language: developer notes belong in a
code cell of comments. Page text comes from the message catalogue (en/es) through
``evaluation.reporting.sections``.
"""

from __future__ import annotations

from pathlib import Path

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


def test_no_markdown_cells_in_notebooks():
    found = [
        f"{path.name}:{number}"
        for path in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if line.startswith("# %%") and "[markdown]" in line
    ]
    assert not found, f"Markdown cells print developer text on the pages: {found}"
