"""The final report as one self-contained, offline HTML file.

Figures are inline SVG, equations MathML (converted from TeX by the bundled pandoc; without
it the equation's explanation in words stands alone), styles inline: the file opens from a
USB stick with no network. Every value passes :func:`html.escape`; links keep only http(s) and
mailto targets.
"""

from __future__ import annotations

import html
import re

from evaluation.reporting.document import (
    Bullets,
    Document,
    Equation,
    Figure,
    Inline,
    InlineMarkup,
    Paragraph,
    Table,
    render_inline,
)
from evaluation.reporting.docx import caption, tex_to_mathml

CSS = """
body{font-family:Georgia,'DejaVu Serif',serif;max-width:52em;margin:2em auto;padding:0 1em;
color:#1f2937;line-height:1.5}
h1,h2{font-family:'DejaVu Sans',Arial,sans-serif;color:#0b3c5d}
.cover{border-bottom:2px solid #0b3c5d;margin-bottom:2em;padding-bottom:1em}
.cover .programme{font-size:2.2em;font-weight:bold}
.cover .title{font-size:1.4em}
.draft{color:#b45309;font-size:.8em;font-weight:bold}
table{border-collapse:collapse;margin:.5em 0;font-size:.9em}
th,td{padding:.2em .6em}thead th{border-bottom:1px solid #333}
table{border-top:1.5px solid #333;border-bottom:1.5px solid #333}
td.text,th.text{text-align:left}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;
white-space:nowrap}
caption{caption-side:top;text-align:left;font-weight:bold;padding-bottom:.3em}
.note{font-size:.8em;color:#444;margin:.2em 0}
figure{margin:1em 0}figure svg{max-width:100%;height:auto}figcaption{font-weight:bold}
.equation{display:flex;align-items:center;justify-content:center;gap:2em;margin:1em 0}
nav.toc ol{list-style:none}
"""


def esc(value: str) -> str:
    """A value escaped for HTML text and attributes."""
    return html.escape(str(value), quote=True)


MARKUP = InlineMarkup(
    text=esc,
    strong=lambda text: f"<strong>{esc(text)}</strong>",
    emph=lambda text: f"<em>{esc(text)}</em>",
    link=lambda url, text: f'<a href="{esc(url)}">{esc(text)}</a>',
)


def _content(items: list[Inline], labels: dict[str, str]) -> str:
    return render_inline(items, labels, MARKUP)


SVG_SCRIPT = re.compile(r"<script\b.*?</script>", re.S | re.I)


def _block(block, doc: Document, labels: dict[str, str], draft: str) -> str:
    if isinstance(block, Paragraph):
        return f"<p>{draft if block.draft else ''}{_content(block.content, labels)}</p>\n"
    if isinstance(block, Bullets):
        items = "".join(f"<li>{_content(i, labels)}</li>" for i in block.items)
        return f"{draft if block.draft else ''}<ul>{items}</ul>\n"
    if isinstance(block, Table):
        cls = ["text" if c.kind == "text" else "num" for c in block.columns]
        head = "".join(
            f'<th class="{k}" scope="col">{esc(c.label)}</th>'
            for c, k in zip(block.columns, cls, strict=True)
        )
        body = "".join(
            "<tr>"
            + "".join(f'<td class="{k}">{esc(v)}</td>' for v, k in zip(row, cls, strict=True))
            + "</tr>"
            for row in block.aligned_rows(doc.language)
        )
        notes = "".join(f'<p class="note">{esc(n)}</p>' for n in block.notes)
        cap = esc(caption(doc, "table", block.number, block.caption))
        return (
            f'<table id="{block.id}"><caption>{cap}</caption><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table>{notes}\n"
        )
    if isinstance(block, Figure):
        svg = SVG_SCRIPT.sub("", block.svg)
        svg = svg[svg.find("<svg") :] if "<svg" in svg else ""
        notes = "".join(f'<p class="note">{esc(n)}</p>' for n in block.notes)
        cap = esc(caption(doc, "figure", block.number, block.caption))
        return (
            f'<figure id="{block.id}" role="img" aria-label="{esc(block.alt)}">{svg}'
            f"<figcaption>{cap}</figcaption></figure>{notes}\n"
        )
    if isinstance(block, Equation):
        math = tex_to_mathml(block.tex) or ""
        where = f'<p class="note">{esc(block.where)}</p>' if block.where else ""
        return (
            f'<div class="equation" id="{block.id}">{math}<span>({block.number})</span></div>'
            f"{where}\n"
        )
    raise TypeError(f"unknown block {type(block).__name__}")


def to_html(doc: Document) -> str:
    """The complete HTML page of ``doc``."""
    labels = doc.number()
    numbers = doc.numbering()
    draft = f'<span class="draft">[{esc(doc.draft_label)}]</span> '
    cover = doc.cover
    facts = "".join(f"<div><strong>{esc(k)}</strong>: {esc(v)}</div>" for k, v in cover.facts)
    parts = [
        f'<!DOCTYPE html>\n<html lang="{esc(doc.language)}"><head><meta charset="utf-8">'
        f"<title>{esc(cover.programme)} - {esc(cover.title)}</title><style>{CSS}</style></head>"
        f'<body><header class="cover"><div class="programme">{esc(cover.programme)}</div>'
        f'<div class="title">{esc(cover.title)}</div>'
        + (f"<div>{esc(cover.subtitle)}</div>" if cover.subtitle else "")
        + facts
        + (f"<p>{draft}{esc(cover.draft_note)}</p>" if cover.draft_note else "")
        + "</header>",
    ]
    toc = []
    for sec in doc.ordered():
        toc.append(f'<li><a href="#sec-{sec.id}">{esc(_title(sec, numbers, doc))}</a></li>')
    parts.append(
        f'<nav class="toc"><h2>{esc(doc.contents_title)}</h2><ol>{"".join(toc)}</ol></nav>'
    )
    for sec in doc.ordered():
        tag = f"h{sec.level}"
        mark = f" {draft}" if sec.draft else ""
        parts.append(f'<{tag} id="sec-{sec.id}">{esc(_title(sec, numbers, doc))}{mark}</{tag}>\n')
        parts.extend(_block(b, doc, labels, draft) for b in sec.blocks)
    parts.append("</body></html>\n")
    return "".join(parts)


def _title(sec, numbers: dict[str, str], doc: Document) -> str:
    number = numbers[sec.id]
    if sec.annex and sec.level == 1:
        return f"{doc.annex_title} {number}. {sec.title}"
    return f"{number} {sec.title}"
