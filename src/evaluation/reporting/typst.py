"""The final report as Typst source, compiled to an A4 PDF by the ``typst`` wheel.

Typst (the compiler ships inside the PyPI wheel) gives what a printed evaluation report needs
without a browser: native mathematics, numbered figures and tables with captions, an outline
with page numbers, running headers and "page X of Y" footers.

Escaping: every value of the model is emitted as a Typst *string literal* in markup,
``#"..."`` ended by ``;`` (Typst's terminator of an embedded expression), so no character of a
programme name, a data value or a narrative block can become markup, code, math, a label or a
reference. Only the equations' math strings are written by this package (never data).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from evaluation.reporting.document import (
    Bullets,
    Document,
    Equation,
    Figure,
    Inline,
    InlineMarkup,
    Paragraph,
    Section,
    Table,
    render_inline,
)

PALETTE_TEXT = "#1f2937"
DRAFT_COLOUR = "#b45309"


def lit(value: str) -> str:
    """A value as a Typst string literal in markup: ``#"..."`` plus the ``;`` terminator."""
    escaped = (
        str(value)
        .replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\n", "\\n")
        .replace("\r", "")
        .replace("\t", " ")
    )
    return f'#"{escaped}";'


def string(value: str) -> str:
    """A value as a Typst string expression (inside code, e.g. a function argument)."""
    return lit(value)[1:-1]


MARKUP = InlineMarkup(
    text=lit,
    strong=lambda text: f"#strong({string(text)});",
    emph=lambda text: f"#emph({string(text)});",
    link=lambda url, text: f"#link({string(url)}, {string(text)});",
)


def _content(items: list[Inline], labels: dict[str, str]) -> str:
    return render_inline(items, labels, MARKUP)


def _draft(doc: Document) -> str:
    return (
        f"#text(fill: rgb({string(DRAFT_COLOUR)}), size: 8pt)[{lit('[' + doc.draft_label + ']')}] "
    )


SHORT_TABLE = 12  # rows: a table this short is kept on one page with its caption and notes


def _longest(table: Table) -> list[int]:
    return [
        max([len(r[j]) for r in table.rows if j < len(r)] or [0]) for j in range(len(table.columns))
    ]


def _widths(table: Table) -> str:
    """Column widths. A narrow table sizes each column to its content. A table with a long
    text column (a label, an estimand in words) spans the text width: number columns keep
    their content's width (numbers never wrap; their headers are broken over lines by
    :func:`_header`) and the text columns share the rest in proportion to their longest
    cell, so labels wrap evenly instead of one column being squeezed."""
    n = len(table.columns)
    longest = _longest(table)
    texts = [j for j, c in enumerate(table.columns) if c.kind == "text"]
    if n < 4 or not any(longest[j] > 20 for j in texts):
        return str(n)
    head = [
        max(len(c.label) // 2, max((len(w) for w in c.label.split()), default=0))
        for c in table.columns
    ]
    widths = [
        f"{min(max(longest[j], head[j], 6), 30)}fr" if j in texts else "auto" for j in range(n)
    ]
    return "(" + ", ".join(widths) + ",)"


HEADER_MIN = 12  # characters per header line of a number column (narrower reads as a list)


def _header(table: Table) -> str:
    """The header cells, bold; a number column's long header is broken over lines no wider
    than its widest cell (or longest word), so the header does not widen the column."""
    longest = _longest(table)
    cells = []
    for j, column in enumerate(table.columns):
        words = column.label.split()
        if column.kind == "text" or not words:
            cells.append(f"[*{lit(column.label)}*]")
            continue
        width = max(longest[j], max(len(w) for w in words), HEADER_MIN)
        lines: list[str] = []
        for word in words:
            if lines and len(lines[-1]) + 1 + len(word) <= width:
                lines[-1] += " " + word
            else:
                lines.append(word)
        cells.append("[*" + "#linebreak()".join(lit(line) for line in lines) + "*]")
    return ", ".join(cells)


def _table(table: Table, doc: Document) -> str:
    aligns = ", ".join("left" if c.kind == "text" else "right" for c in table.columns)
    header = _header(table)
    cells = ", ".join(f"[{lit(cell)}]" for row in table.aligned_rows(doc.language) for cell in row)
    notes = (
        f"#block(width: 100%)[#set align(left); #set par(justify: false); #set text(size: 8pt); "
        f"{lit(' '.join(table.notes))}]\n"
        if table.notes
        else ""
    )
    size = "#set text(size: 8.5pt); " if len(table.columns) >= 6 else ""
    body = (
        f"table(columns: {_widths(table)}, align: ({aligns},), stroke: none, "
        f"table.hline(), table.header({header}), table.hline(stroke: 0.5pt), {cells}, "
        "table.hline())"
    )
    figure = (
        f"#figure([{size}#{body}], kind: table, supplement: {string(_word(doc, 'table'))}, "
        f"caption: [{lit(table.caption)}]) <{table.id}>\n{notes}"
    )
    if len(table.rows) <= SHORT_TABLE:
        return f"#block(breakable: false, width: 100%)[\n{figure}]\n\n"
    return figure + "\n"


def _word(doc: Document, kind: str) -> str:
    from evaluation.reporting.document import REF_WORDS

    return REF_WORDS.get(doc.language, REF_WORDS["en"])[kind]


def _block(block, doc: Document, labels: dict[str, str], figures: dict[str, str]) -> str:
    if isinstance(block, Paragraph):
        mark = _draft(doc) if block.draft else ""
        return f"{mark}{_content(block.content, labels)}\n\n"
    if isinstance(block, Bullets):
        mark = _draft(doc) + "\n" if block.draft else ""
        return mark + "".join(f"- {_content(item, labels)}\n" for item in block.items) + "\n"
    if isinstance(block, Table):
        return _table(block, doc)
    if isinstance(block, Figure):
        notes = "".join(f"#text(size: 8pt)[{lit(n)}]\n\n" for n in block.notes)
        return (
            f"#figure(image({string(figures[block.id])}, width: 100%, alt: {string(block.alt)}), "
            f"kind: image, supplement: {string(_word(doc, 'figure'))}, "
            f"caption: [{lit(block.caption)}]) <{block.id}>\n{notes}\n"
        )
    if isinstance(block, Equation):
        where = f"#text(size: 9pt)[{lit(block.where)}]\n\n" if block.where else ""
        return f'#math.equation(block: true, numbering: "(1)", $ {block.typst} $)\n\n{where}'
    raise TypeError(f"unknown block {type(block).__name__}")


def to_typst(doc: Document, figures: dict[str, str] | None = None) -> str:
    """The Typst source of ``doc``; ``figures`` maps a figure id to its SVG file name."""
    labels = doc.number()
    numbers = doc.numbering()
    figures = figures or {}
    cover = doc.cover
    page_word, of_word = doc.page_words
    out = [
        f"#set document(title: {string(cover.programme + ' - ' + cover.title)})\n",
        f'#set text(lang: {string(doc.language)}, size: 10.5pt, fill: rgb("{PALETTE_TEXT}"))\n',
        "#set par(justify: true)\n",
        '#set page(paper: "a4", margin: (x: 22mm, y: 24mm),\n'
        "  header: context { if counter(page).get().first() > 1 [#set text(size: 8pt, "
        f"fill: gray); {lit(doc.running_header)} #h(1fr) {lit(cover.title)}] }},\n"
        "  footer: context { if counter(page).get().first() > 1 [#set align(center); "
        f"#set text(size: 8pt); {lit(page_word)} #counter(page).display() {lit(of_word)} "
        "#counter(page).final().first()] })\n",
        "#show heading.where(level: 1): it => { v(0.8em); it; v(0.3em) }\n",
        "#show figure.where(kind: table): set figure.caption(position: top)\n",
        # a table's caption (above it) never ends a page: it sticks to the table's first rows
        "#show figure.caption.where(position: top): it => block(sticky: true, it)\n",
        "#show figure.caption: set text(size: 9pt)\n",
        "#show figure: set block(breakable: true)\n",
        "#show table: set par(justify: false)\n",
        '#show table: set text(number-width: "tabular")\n',
        "#show table: set text(size: 9pt)\n",
        # --- cover
        "#v(30mm)\n",
        f'#align(left)[#text(size: 26pt, weight: "bold")[{lit(cover.programme)}]]\n\n',
        f"#text(size: 16pt)[{lit(cover.title)}]\n\n",
    ]
    if cover.subtitle:
        out.append(f"#text(size: 11pt)[{lit(cover.subtitle)}]\n\n")
    out.append("#v(20mm)\n")
    for label, value in cover.facts:
        out.append(f"#strong({string(label)}): {lit(value)} \\\n")
    if cover.draft_note:
        out.append(
            f"\n#v(8mm)\n#text(fill: rgb({string(DRAFT_COLOUR)}))[{lit(cover.draft_note)}]\n"
        )
    out.append("\n#pagebreak()\n")
    out.append(
        f"#outline(title: [{lit(doc.contents_title)}], depth: 2, indent: auto)\n#pagebreak()\n"
    )
    first_annex = True
    for sec in doc.ordered():
        out.append(_heading(sec, numbers, doc, first_annex))
        if sec.annex and sec.level == 1:
            first_annex = False
        blocks = sec.blocks
        i = 0
        while i < len(blocks):
            block = blocks[i]
            nxt = blocks[i + 1] if i + 1 < len(blocks) else None
            if _keeps_with(block, nxt):
                # a short lead-in sentence stays on the page of the figure or table it
                # introduces (with the heading before it), never stranded at a page foot
                body = _block(block, doc, labels, figures) + _block(nxt, doc, labels, figures)
                out.append(f"#block(breakable: false, width: 100%)[\n{body}]\n\n")
                i += 2
                continue
            out.append(_block(block, doc, labels, figures))
            i += 1
    return "".join(out)


LEAD_IN = 400  # characters: a paragraph this short is kept with the figure or table after it


def _keeps_with(block, nxt) -> bool:
    if not isinstance(block, Paragraph) or nxt is None:
        return False
    text = "".join(getattr(i, "text", "") for i in block.content)
    if len(text) > LEAD_IN:
        return False
    return isinstance(nxt, Figure) or (isinstance(nxt, Table) and len(nxt.rows) <= SHORT_TABLE)


def _heading(sec: Section, numbers: dict[str, str], doc: Document, first_annex: bool) -> str:
    marks = "=" * sec.level
    prefix = numbers[sec.id]
    title = (
        f"{doc.annex_title} {prefix}. {sec.title}"
        if sec.annex and sec.level == 1
        else (f"{prefix} {sec.title}")
    )
    brk = "#pagebreak()\n" if sec.annex and sec.level == 1 and first_annex else ""
    draft = f" {_draft(doc)}" if sec.draft else ""
    return f"\n{brk}{marks} {lit(title)}{draft}\n\n"


def compile_pdf(doc: Document, target: Path) -> Path:
    """Write ``doc`` as a PDF at ``target`` (through a temporary name, renamed when complete).

    Figures are written as SVG files beside the source in a temporary folder, the compiler's
    root, so the document reads nothing else from the machine.
    """
    import typst as typst_compiler

    target = Path(target)
    with tempfile.TemporaryDirectory(prefix="report-typst-") as tmp:
        folder = Path(tmp)
        names: dict[str, str] = {}
        for sec in doc.sections:
            for block in sec.blocks:
                if isinstance(block, Figure):
                    name = f"figure-{len(names) + 1}.svg"
                    (folder / name).write_text(block.svg, encoding="utf-8")
                    names[block.id] = name
        source = folder / "report.typ"
        source.write_text(to_typst(doc, names), encoding="utf-8")
        pdf = typst_compiler.compile(str(source), root=str(folder))
    tmp_target = target.with_suffix(".pdf.tmp")
    tmp_target.write_bytes(pdf)
    tmp_target.replace(target)
    return target
