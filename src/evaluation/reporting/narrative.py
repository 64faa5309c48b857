"""Evaluators' narrative blocks: Markdown per section and language, bound to the run's numbers.

A block is ``<folder>/<language>/<section id>.md`` (folder: ``paths.narrative``). Numbers are
never typed: placeholders are filled from the run's estimates and the logframe,

    {{ effect("log_labor_productivity", "cs", "simple") }}   the estimate (report language)
    {{ ci("log_labor_productivity", "cs", "simple") }}       its 95% interval, in brackets
    {{ pct("log_labor_productivity", "cs", "simple") }}      100 (exp(b) - 1) for a log outcome
    {{ target("smes") }}  /  {{ achieved("smes") }}           a logframe row's target / achieved

An unknown function, a wrong number of arguments or a value the run did not record is an error
naming the file and line (:class:`NarrativeError`): a report never prints a made-up number.
Markdown is read by markdown-it (CommonMark) with raw HTML disabled; only paragraphs, bullet
lists, emphasis, strong emphasis and http(s)/mailto links are kept, everything else is shown
as its text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from evaluation.reporting.document import Bullets, Emph, Inline, Link, Paragraph, Strong, Text

PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+)\s*\((.*?)\)\s*\}\}")
ARGUMENT = re.compile(r'\s*"([^"\\]*)"\s*(?:,|$)')
SENTINEL = "\ue000{}\ue001"


class NarrativeError(ValueError):
    """A narrative block that cannot be bound (file and line in the message)."""


Resolver = Callable[..., str]


def _arguments(raw: str) -> list[str] | None:
    args, pos = [], 0
    raw = raw.strip()
    while pos < len(raw):
        match = ARGUMENT.match(raw, pos)
        if not match:
            return None
        args.append(match.group(1))
        pos = match.end()
    return args


def bind(text: str, functions: dict[str, Resolver], source: str) -> tuple[str, list[str]]:
    """Replace every placeholder by a sentinel; return the text and the sentinels' values.

    Values are substituted after the Markdown is parsed, so a value can never become markup.
    """
    values: list[str] = []
    out_lines = []
    for number, line in enumerate(text.splitlines(), start=1):

        def fill(match: re.Match[str], number: int = number) -> str:
            name, raw = match.group(1), match.group(2)
            where = f"{source}:{number}"
            if name not in functions:
                raise NarrativeError(
                    f"{where}: unknown placeholder {name}(); known: {', '.join(sorted(functions))}"
                )
            args = _arguments(raw)
            if args is None:
                raise NarrativeError(f'{where}: arguments of {name}() must be "quoted" strings')
            try:
                value = functions[name](*args)
            except TypeError:
                raise NarrativeError(f"{where}: wrong number of arguments for {name}()") from None
            except LookupError as err:
                raise NarrativeError(f"{where}: {name}({raw.strip()}): {err.args[0]}") from None
            values.append(value)
            return SENTINEL.format(len(values) - 1)

        line = PLACEHOLDER.sub(fill, line)
        if "{{" in line:
            raise NarrativeError(
                f'{source}:{number}: unreadable placeholder (use {{{{ name("...") }}}})'
            )
        out_lines.append(line)
    return "\n".join(out_lines), values


def _restore(text: str, values: list[str]) -> str:
    return re.sub("\ue000(\\d+)\ue001", lambda m: values[int(m.group(1))], text)


def _inline_children(children, values: list[str]) -> list[Inline]:
    out: list[Inline] = []
    style: list[str] = []
    link: str | None = None
    for tok in children or []:
        if tok.type in ("strong_open", "em_open"):
            style.append(tok.type[:-5])
        elif tok.type in ("strong_close", "em_close"):
            if style:
                style.pop()
        elif tok.type == "link_open":
            link = str(tok.attrs.get("href", ""))
        elif tok.type == "link_close":
            link = None
        elif tok.type in ("text", "code_inline"):
            content = _restore(tok.content, values)
            if link is not None:
                out.append(Link(content, link))
            elif "strong" in style:
                out.append(Strong(content))
            elif "em" in style:
                out.append(Emph(content))
            else:
                out.append(Text(content))
        elif tok.type in ("softbreak", "hardbreak"):
            out.append(Text(" "))
    return out


def parse(text: str, values: list[str]) -> list[Paragraph | Bullets]:
    """Markdown (raw HTML off) to paragraphs and bullet lists of the document model."""
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark", {"html": False}).parse(text)
    blocks: list[Paragraph | Bullets] = []
    items: list[list[Inline]] | None = None
    for tok in tokens:
        if tok.type in ("bullet_list_open", "ordered_list_open"):
            items = []
        elif tok.type in ("bullet_list_close", "ordered_list_close"):
            if items:
                blocks.append(Bullets(items))
            items = None
        elif tok.type == "inline":
            content = _inline_children(tok.children, values)
            if items is not None:
                items.append(content)
            else:
                blocks.append(Paragraph(content))
    return blocks


def load(
    folder: Path | None, language: str, section: str, functions: dict[str, Resolver]
) -> list[Paragraph | Bullets] | None:
    """The evaluators' block for ``section`` in ``language``, bound; None when there is none."""
    if folder is None:
        return None
    path = Path(folder) / language / f"{section}.md"
    if not path.is_file():
        return None
    text, values = bind(path.read_text(encoding="utf-8"), functions, str(path))
    blocks = parse(text, values)
    return blocks or None
