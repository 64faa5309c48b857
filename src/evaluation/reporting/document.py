"""The final report as a document: sections, paragraphs, tables, figures and equations.

One model, three renderers (:mod:`evaluation.reporting.typst` for the PDF,
:mod:`evaluation.reporting.document_html` for the page, :mod:`evaluation.reporting.docx`
for the editable Word file). The builder (:mod:`evaluation.reporting.report_builder`) fills it
from what the run recorded; renderers only lay it out and escape every value for their target.

Values are plain text in the model (never markup of any target): a programme called
``A*B #1 $x$`` stays those characters until a renderer escapes them. Tables hold cells already
formatted in the report language (numbers by :mod:`evaluation.reporting.translations`) with a
kind per column, so each renderer aligns text left and numbers right on the decimal mark.

Numbering follows the convention of printed evaluation reports: tables and figures are numbered
separately in order of appearance over the whole document (annexes included), equations
likewise, and a :class:`Ref` prints the target's word and number ("Figure 3" / "Figura 3",
"Table 2" / "Cuadro 2").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

ID = re.compile(r"[a-z][a-z0-9-]*")
ColumnKind = Literal["text", "number", "integer", "interval"]

REF_WORDS = {
    "en": {"table": "Table", "figure": "Figure", "equation": "Equation"},
    "es": {"table": "Cuadro", "figure": "Figura", "equation": "Ecuación"},
}


# --- inline content -------------------------------------------------------------------------
@dataclass(frozen=True)
class Text:
    """Literal text (escaped by every renderer)."""

    text: str


@dataclass(frozen=True)
class Strong:
    """Bold text."""

    text: str


@dataclass(frozen=True)
class Emph:
    """Italic text."""

    text: str


@dataclass(frozen=True)
class Link:
    """A hyperlink; only ``http``, ``https`` and ``mailto`` targets are kept (see
    :func:`safe_url`), any other is shown as its text alone."""

    text: str
    url: str


@dataclass(frozen=True)
class Ref:
    """A cross-reference to a numbered table, figure or equation by its id."""

    target: str


Inline = Text | Strong | Emph | Link | Ref


def safe_url(url: str) -> str | None:
    """``url`` when its scheme is http, https or mailto; None otherwise (javascript:, data:,
    file: and relative links never reach a published report)."""
    lowered = url.strip().lower()
    if lowered.startswith(("http://", "https://", "mailto:")) and not any(
        c in url for c in "\n\r\t <>\"'"
    ):
        return url.strip()
    return None


def inlines(value: str | Inline | list[Inline]) -> list[Inline]:
    """Normalize a string or inline(s) to a list of inlines."""
    if isinstance(value, str):
        return [Text(value)]
    if isinstance(value, list):
        return value
    return [value]


# --- blocks ---------------------------------------------------------------------------------
@dataclass
class Paragraph:
    """A paragraph; ``draft`` marks text generated because the evaluators wrote none."""

    content: list[Inline]
    draft: bool = False


@dataclass
class Bullets:
    """A bulleted list; each item is a list of inlines."""

    items: list[list[Inline]]
    draft: bool = False


@dataclass
class Column:
    """A table column: its human label and its kind (text left, numbers right)."""

    label: str
    kind: ColumnKind = "text"


FIGURE_SPACE = "\u2007"  # as wide as a digit in tabular figures
PUNCTUATION_SPACE = "\u2008"  # as wide as the decimal mark
DECIMAL_MARK = {"en": ".", "es": ","}


def decimal_aligned(column: list[str], language: str) -> list[str]:
    """The cells of a ``number`` column padded so their decimal marks line up when the
    column is right-aligned in tabular figures: each cell's fraction (after the language's
    last decimal mark, so thousands separators are never mistaken for it) is filled to the
    column's longest with figure spaces; a cell without a fraction ("12", "—") gets a
    punctuation space for the mark. The usual typesetting of numeric columns (Bringhurst,
    *The Elements of Typographic Style*, 4.3) done in text, so HTML, PDF and DOCX all get it.
    """
    mark = DECIMAL_MARK.get(language, ".")

    def fraction(cell: str) -> int | None:
        i = cell.rfind(mark)
        if i < 0 or not cell[i + 1 : i + 2].isdigit() or not cell[:i][-1:].isdigit():
            return None
        return len(cell) - i - 1

    widths = [fraction(c) for c in column]
    longest = max((w for w in widths if w is not None), default=0)
    if longest == 0:
        return list(column)
    out = []
    for cell, width in zip(column, widths, strict=True):
        if width is None:
            out.append(cell + PUNCTUATION_SPACE + FIGURE_SPACE * longest)
        else:
            out.append(cell + FIGURE_SPACE * (longest - width))
    return out


@dataclass
class Table:
    """A numbered table: formatted cells, a caption and notes printed under it."""

    id: str
    caption: str
    columns: list[Column]
    rows: list[list[str]]
    notes: list[str] = field(default_factory=list)
    number: int = 0

    def aligned_rows(self, language: str) -> list[list[str]]:
        """The rows with every ``number`` column decimal-aligned (:func:`decimal_aligned`);
        integers, intervals and text are left as formatted."""
        rows = [list(r) for r in self.rows]
        for j, column in enumerate(self.columns):
            if column.kind != "number":
                continue
            cells = decimal_aligned([r[j] if j < len(r) else "" for r in rows], language)
            for r, cell in zip(rows, cells, strict=True):
                if j < len(r):
                    r[j] = cell
        return rows


@dataclass
class Figure:
    """A numbered figure: SVG (HTML, PDF) and PNG (DOCX) of the same drawing."""

    id: str
    caption: str
    svg: str
    png: bytes
    alt: str
    notes: list[str] = field(default_factory=list)
    number: int = 0


@dataclass
class Equation:
    """A displayed, numbered equation in Typst math and in TeX (for pandoc: MathML in the page,
    native equations in Word), and the symbols explained in words under it."""

    id: str
    typst: str
    tex: str
    where: str = ""
    number: int = 0


Block = Paragraph | Bullets | Table | Figure | Equation


@dataclass
class Section:
    """A numbered section (level 1) or subsection (level 2).

    ``draft``: no narrative block was written for it, the text is generated and marked.
    ``annex``: printed after the body with the annex numbering (A, B, ...).
    """

    id: str
    title: str
    blocks: list[Block] = field(default_factory=list)
    level: int = 1
    draft: bool = False
    annex: bool = False

    def add(self, block: Block) -> Block:
        self.blocks.append(block)
        return block

    def say(self, text: str | list[Inline], *, draft: bool = False) -> Paragraph:
        return self.add(Paragraph(inlines(text), draft=draft))  # type: ignore[return-value]


@dataclass
class Cover:
    """The cover page: programme, title, period, donor, implementer, date, version, language."""

    programme: str
    title: str
    subtitle: str = ""
    facts: list[tuple[str, str]] = field(default_factory=list)  # (label, value)
    draft_note: str = ""


@dataclass
class Document:
    """The whole report in one language."""

    language: str
    cover: Cover
    sections: list[Section] = field(default_factory=list)
    running_header: str = ""
    contents_title: str = "Contents"
    annex_title: str = "Annex"
    draft_label: str = "Draft"
    page_words: tuple[str, str] = ("Page", "of")
    drafts: list[str] = field(default_factory=list)

    def section(self, id: str, title: str, **kwargs) -> Section:
        sec = Section(id, title, **kwargs)
        self.sections.append(sec)
        return sec

    def number(self) -> dict[str, str]:
        """Number tables, figures and equations in order; returns id -> "Table 2" etc.

        Duplicate ids are a defect of the builder and raise ``ValueError``.
        """
        words = REF_WORDS.get(self.language, REF_WORDS["en"])
        counters = {"table": 0, "figure": 0, "equation": 0}
        labels: dict[str, str] = {}
        for sec in self.ordered():
            for block in sec.blocks:
                kind = {Table: "table", Figure: "figure", Equation: "equation"}.get(type(block))
                if kind is None:
                    continue
                counters[kind] += 1
                block.number = counters[kind]  # type: ignore[union-attr]
                if not ID.fullmatch(block.id) or block.id in labels:  # type: ignore[union-attr]
                    raise ValueError(f"duplicate or malformed document id {block.id!r}")  # type: ignore[union-attr]
                labels[block.id] = (  # type: ignore[union-attr]
                    f"({counters[kind]})"
                    if kind == "equation"
                    else f"{words[kind]} {counters[kind]}"
                )
        return labels

    def ordered(self) -> list[Section]:
        """Body sections first, then the annexes (the printed order)."""
        return [s for s in self.sections if not s.annex] + [s for s in self.sections if s.annex]

    def numbering(self) -> dict[str, str]:
        """Section id -> printed number ("3", "3.1", "A", "A.1")."""
        out: dict[str, str] = {}
        body = annex = sub = 0
        for sec in self.ordered():
            if sec.level == 1:
                sub = 0
                if sec.annex:
                    annex += 1
                else:
                    body += 1
            else:
                sub += 1
            head = chr(ord("A") + annex - 1) if sec.annex else str(body)
            out[sec.id] = head if sec.level == 1 else f"{head}.{sub}"
        return out


def resolve(ref: Ref, labels: dict[str, str]) -> str:
    """The printed text of a cross-reference; an unknown target is a builder defect."""
    if ref.target not in labels:
        raise KeyError(f"reference to unknown table/figure/equation {ref.target!r}")
    return labels[ref.target]


@dataclass(frozen=True)
class InlineMarkup:
    """How one output format writes inline content; each function escapes its text itself."""

    text: Callable[[str], str]
    strong: Callable[[str], str]
    emph: Callable[[str], str]
    link: Callable[[str, str], str]  # (a URL already passed by safe_url, text)


def render_inline(content: list[Inline], labels: dict[str, str], markup: InlineMarkup) -> str:
    """The inlines in one output format: references resolved, links kept only when
    :func:`safe_url` allows them (else their text), every value escaped by ``markup``."""
    out = []
    for item in content:
        if isinstance(item, Ref):
            out.append(markup.text(resolve(item, labels)))
        elif isinstance(item, Strong):
            out.append(markup.strong(item.text))
        elif isinstance(item, Emph):
            out.append(markup.emph(item.text))
        elif isinstance(item, Link):
            url = safe_url(item.url)
            out.append(markup.text(item.text) if url is None else markup.link(url, item.text))
        else:
            assert isinstance(item, Text)
            out.append(markup.text(item.text))
    return "".join(out)


def plain(content: list[Inline], labels: dict[str, str]) -> str:
    """The inlines as plain text (references resolved)."""
    return "".join(resolve(i, labels) if isinstance(i, Ref) else i.text for i in content)
