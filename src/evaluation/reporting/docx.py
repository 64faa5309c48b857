"""The final report as an editable Word file: pandoc Markdown converted by pandoc.

Evaluation units edit the donor version in Word; pandoc (bundled by the ``pypandoc-binary``
wheel) writes real heading styles (so Word's navigation and table of contents work), tables
with captions and native Word equations from TeX.

Escaping: every value is written with every ASCII punctuation character backslash-escaped
(pandoc Markdown reads ``\\`` + punctuation as that character), and the Markdown is read with
raw HTML and raw TeX disabled, so no value can become markup, a link or a raw block.
"""

from __future__ import annotations

import re
import string as _string
import tempfile
from pathlib import Path

from evaluation.reporting.document import (
    REF_WORDS,
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

PUNCTUATION = set(_string.punctuation)
READER = "markdown-raw_html-raw_tex-raw_attribute-native_divs-native_spans-smart"


def md(value: str) -> str:
    """A value as literal Markdown text (punctuation escaped, line breaks as spaces)."""
    text = re.sub(r"\s+", " ", str(value))
    return "".join("\\" + c if c in PUNCTUATION else c for c in text)


MARKUP = InlineMarkup(
    text=md,
    strong=lambda text: f"**{md(text)}**",
    emph=lambda text: f"*{md(text)}*",
    link=lambda url, text: f"[{md(text)}](<{url}>)",
)


def _content(items: list[Inline], labels: dict[str, str]) -> str:
    return render_inline(items, labels, MARKUP)


def caption(doc: Document, kind: str, number: int, text: str) -> str:
    """ "Table 2. Caption" in the document's language (used by the HTML and DOCX renderers)."""
    return f"{REF_WORDS.get(doc.language, REF_WORDS['en'])[kind]} {number}. {text}"


def to_markdown(doc: Document, figures: dict[str, str] | None = None) -> str:
    """The pandoc Markdown of ``doc``; ``figures`` maps a figure id to its PNG file name."""
    labels = doc.number()
    numbers = doc.numbering()
    figures = figures or {}
    draft = f"**\\[{md(doc.draft_label)}\\]** "
    cover = doc.cover
    out = [
        f'::: {{custom-style="Title"}}\n{md(cover.programme)}\n:::\n\n',
        f'::: {{custom-style="Subtitle"}}\n{md(cover.title)}\n:::\n\n',
    ]
    if cover.subtitle:
        out.append(f"{md(cover.subtitle)}\n\n")
    for label, value in cover.facts:
        out.append(f"**{md(label)}**: {md(value)}\\\n")
    if cover.draft_note:
        out.append(f"\n{draft}{md(cover.draft_note)}\n")
    out.append("\n")
    for sec in doc.ordered():
        number = numbers[sec.id]
        title = (
            f"{doc.annex_title} {number}. {sec.title}"
            if sec.annex and sec.level == 1
            else f"{number} {sec.title}"
        )
        out.append(f"{'#' * sec.level} {md(title)}{' ' + draft if sec.draft else ''}\n\n")
        for block in sec.blocks:
            out.append(_block(block, doc, labels, figures, draft))
    return "".join(out)


def _cell(cell: str) -> str:
    """A table cell as escaped Markdown whose decimal-alignment padding (figure and
    punctuation spaces, which the escaping would collapse and pandoc would trim) survives:
    the padding is kept as is and closed by a word joiner."""
    text = cell.rstrip("\u2007\u2008")
    pad = cell[len(text) :]
    return md(text) + (pad + "\u2060" if pad else "")


def _block(block, doc: Document, labels: dict[str, str], figures: dict[str, str], draft: str):
    if isinstance(block, Paragraph):
        return f"{draft if block.draft else ''}{_content(block.content, labels)}\n\n"
    if isinstance(block, Bullets):
        head = f"{draft}\n\n" if block.draft else ""
        return head + "".join(f"- {_content(i, labels)}\n" for i in block.items) + "\n"
    if isinstance(block, Table):
        header = "| " + " | ".join(md(c.label) for c in block.columns) + " |"
        rule = "|" + "|".join("---" if c.kind == "text" else "--:" for c in block.columns) + "|"
        # pandoc trims trailing spaces of a cell, figure spaces included: a word joiner after
        # the decimal-alignment padding keeps it
        rows = ["| " + " | ".join(_cell(cell) or " " for cell in row) + " |"
                for row in block.aligned_rows(doc.language)]  # fmt: skip
        cap = md(caption(doc, "table", block.number, block.caption))
        notes = "".join(f"{md(n)}\n\n" for n in block.notes)
        return "\n".join([header, rule, *rows]) + f"\n\n: {cap}\n\n{notes}"
    if isinstance(block, Figure):
        cap = md(caption(doc, "figure", block.number, block.caption))
        notes = "".join(f"{md(n)}\n\n" for n in block.notes)
        return f"![{cap}]({figures.get(block.id, 'missing.png')})\n\n{notes}"
    if isinstance(block, Equation):
        where = f"{md(block.where)}\n\n" if block.where else ""
        return f"$$ {block.tex} \\qquad ({block.number}) $$\n\n{where}"
    raise TypeError(f"unknown block {type(block).__name__}")


def write_docx(doc: Document, target: Path) -> Path:
    """Write ``doc`` as DOCX at ``target`` with a table of contents (pandoc's ``--toc``)."""
    import pypandoc

    target = Path(target)
    with tempfile.TemporaryDirectory(prefix="report-docx-") as tmp:
        folder = Path(tmp)
        names: dict[str, str] = {}
        for sec in doc.sections:
            for block in sec.blocks:
                if isinstance(block, Figure):
                    name = f"figure-{len(names) + 1}.png"
                    (folder / name).write_bytes(block.png)
                    names[block.id] = name
        source = folder / "report.md"
        source.write_text(to_markdown(doc, names), encoding="utf-8")
        tmp_target = folder / "report.docx"
        pypandoc.convert_file(
            str(source),
            "docx",
            format=READER,
            outputfile=str(tmp_target),
            extra_args=[
                "--toc",
                "--toc-depth=2",
                f"--metadata=toc-title:{doc.contents_title}",
                f"--metadata=lang:{doc.language}",
                f"--resource-path={folder}",
            ],
        )
        out = target.with_suffix(".docx.tmp")
        out.write_bytes(tmp_target.read_bytes())
        out.replace(target)
    return target


def tex_to_mathml(tex: str) -> str | None:
    """MathML of a TeX equation through pandoc (offline), or None without pandoc."""
    try:
        import pypandoc

        html = pypandoc.convert_text(
            f"$${tex}$$", "html", format="markdown", extra_args=["--mathml"]
        )
    except (ImportError, OSError, RuntimeError):
        return None
    start, end = html.find("<math"), html.rfind("</math>")
    if start < 0 or end <= start:
        return None
    # the TeX annotation pandoc adds would put TeX source in the page
    return re.sub(
        r"<annotation\b.*?</annotation>", "", html[start : end + len("</math>")], flags=re.S
    )
