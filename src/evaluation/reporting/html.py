"""Executed notebook -> one self-contained HTML page (nbconvert), with a provenance header.

The page has no code cells and no prompts (readers of an evaluation report do not need the
code; the notebook source is linked in the manifest), loads no script or stylesheet from the
network (no require.js, MathJax, mermaid or widget CDN: the page works offline and prints the
same anywhere), embeds every image as a data URI, and opens with a header that states the
parameters and the provenance: commit (or package version and source hash), data hashes,
package versions and seed. Built on nbconvert's ``lab`` template with the network-loading
blocks overridden.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import Any

import jinja2

TEMPLATE_NAME = "evaluation_page.html.j2"
_TEMPLATE = r"""{%- extends 'lab/index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block extra_css -%}<style type="text/css">{{ resources.evaluation_css }}</style>{%- endblock extra_css -%}
{%- block body_header -%}
<body class="jp-Notebook" data-jp-theme-light="true" data-jp-theme-name="JupyterLab Light">
{{ resources.evaluation_header }}
<main>
{%- endblock body_header -%}
"""

CSS = """
.ev-header { font-family: system-ui, sans-serif; font-size: 13px; margin: 16px 24px;
  border-bottom: 1px solid #ccc; padding-bottom: 8px; }
.ev-header h1 { font-size: 20px; margin: 0 0 6px 0; }
.ev-header table { border-collapse: collapse; margin: 4px 0; }
.ev-header td, .ev-header th { border: 1px solid #ddd; padding: 2px 6px; text-align: left; }
.ev-status-ok { color: #1b5e20; font-weight: bold; }
.ev-status-failed { color: #b71c1c; font-weight: bold; }
.ev-error { background: #ffebee; border: 2px solid #b71c1c; padding: 8px 12px; margin: 8px 0;
  white-space: pre-wrap; font-family: monospace; }
.ev-provenance { color: #333; }
.ev-provenance code { font-size: 12px; }
nav.ev-toc { margin: 8px 0; }
nav.ev-toc ol { margin: 2px 0 2px 18px; padding: 0; }
nav.ev-toc li.ev-toc-2 { margin-left: 16px; }
nav.ev-toc li.ev-toc-3 { margin-left: 32px; }
@media print { .ev-header { page-break-after: avoid; } nav.ev-toc { page-break-after: always; }
  .ev-index-link { display: none; } }
"""

# The header's own words, in the page's language (the notebook's text is the notebook's).
LABELS = {
    "en": {"index": "index", "status": "Status", "parameters": "Parameters",
           "provenance": "Provenance", "data": "Data (SHA-256)", "versions": "Package versions",
           "contents": "Contents", "failed": "This job failed.", "ok": "ok", "failed_s": "failed"},
    "es": {"index": "índice", "status": "Estado", "parameters": "Parámetros",
           "provenance": "Procedencia", "data": "Datos (SHA-256)",
           "versions": "Versiones de los paquetes", "contents": "Contenido",
           "failed": "Este trabajo falló.", "ok": "correcto", "failed_s": "fallido"},
}  # fmt: skip

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_HEADING = re.compile(r"<h([1-3])\s+id=\"([^\"]+)\"[^>]*>(.*?)</h\1>", re.S)
_EXTERNAL_TAG = re.compile(
    r"<(script|link|img|iframe|source|embed)\b[^>]*?\b(?:src|href)\s*=\s*[\"']?((?:https?:)?//[^\"'\s>]+)",
    re.I,
)
_MODULE_IMPORT = re.compile(r"import\s+[^;]*?from\s+[\"']((?:https?:)?//[^\"']+)", re.I)


def strip_ansi(text: str) -> str:
    return _ANSI.sub("", text)


def external_resources(page: str) -> list[str]:
    """URLs the page would load from the network (scripts, styles, images, frames, imports).

    Hyperlinks (``<a href>``) are not loads and are allowed.
    """
    urls = [m.group(2) for m in _EXTERNAL_TAG.finditer(page)]
    urls += [m.group(1) for m in _MODULE_IMPORT.finditer(page)]
    return urls


def _remove_external(page: str) -> str:
    """Drop any network-loading tag an output carried in (e.g. a library's CDN script)."""
    page = re.sub(
        r"<script\b[^>]*\bsrc\s*=\s*[\"']?(?:https?:)?//[^>]*>\s*</script>", "", page, flags=re.I
    )
    page = re.sub(r"<link\b[^>]*\bhref\s*=\s*[\"']?(?:https?:)?//[^>]*>", "", page, flags=re.I)
    return page


def _exporter(language: str):
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        template_name="lab",
        extra_loaders=[jinja2.DictLoader({TEMPLATE_NAME: _TEMPLATE})],
        template_file=TEMPLATE_NAME,
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
    )
    if "language_code" in exporter.trait_names():
        exporter.language_code = language
    return exporter


def _table(rows: Mapping[str, Any]) -> str:
    cells = "".join(
        f"<tr><th>{html.escape(str(k))}</th><td><code>{html.escape(str(v))}</code></td></tr>"
        for k, v in rows.items()
    )
    return f"<table>{cells}</table>"


def header_html(
    *,
    title: str,
    status: str,
    parameters: Mapping[str, Any],
    provenance: Mapping[str, Any],
    error: str | None = None,
    toc: list[tuple[int, str, str]] | None = None,
    index_href: str | None = "../index.html",
    language: str = "en",
) -> str:
    """The header block: title, status, parameters, provenance, error box, contents."""
    words = LABELS.get(language, LABELS["en"])
    parts = ['<header class="ev-header">']
    if index_href:
        parts.append(
            f'<p class="ev-index-link"><a href="{html.escape(index_href)}">&larr; '
            f"{words['index']}</a></p>"
        )
    parts.append(f"<h1>{html.escape(title)}</h1>")
    cls = "ev-status-ok" if status == "ok" else "ev-status-failed"
    shown = words["ok"] if status == "ok" else words["failed_s"]
    parts.append(
        f'<p>{words["status"]}: <span class="{cls}" id="ev-status" data-status="'
        f'{html.escape(status, quote=True)}">{html.escape(shown)}</span></p>'
    )
    if error:
        parts.append(
            f'<div class="ev-error" id="ev-error"><strong>{words["failed"]}</strong>\n'
            f"{html.escape(strip_ansi(error))}</div>"
        )
    parts.append(
        f"<details open><summary>{words['parameters']}</summary>{_table(parameters)}</details>"
    )
    prov = dict(provenance)
    versions = prov.pop("versions", {}) or {}
    data = prov.pop("data", {}) or {}
    parts.append(
        f'<details class="ev-provenance"><summary>{words["provenance"]}</summary>{_table(prov)}'
    )
    if data:
        parts.append(f"<p>{words['data']}</p>" + _table(data))
    if versions:
        parts.append(f"<p>{words['versions']}</p>" + _table(versions))
    parts.append("</details>")
    if toc:
        items = "".join(
            f'<li class="ev-toc-{level}"><a href="#{html.escape(anchor, quote=True)}">{text}</a></li>'
            for level, anchor, text in toc
        )
        parts.append(f'<nav class="ev-toc" aria-label="{words["contents"]}"><ol>{items}</ol></nav>')
    parts.append("</header>")
    return "\n".join(parts)


def headings(page: str) -> list[tuple[int, str, str]]:
    """(level, id, text) of the h1-h3 headings nbconvert rendered, in order."""
    out = []
    for level, anchor, inner in _HEADING.findall(page):
        text = re.sub(r"<a class=\"anchor-link\".*?</a>", "", inner, flags=re.S)
        text = re.sub(r"<[^>]+>", "", text).strip()
        if text:
            out.append((int(level), anchor, html.escape(html.unescape(text))))
    return out


def render_notebook(
    nb: Any,
    *,
    title: str,
    status: str,
    parameters: Mapping[str, Any],
    provenance: Mapping[str, Any],
    error: str | None = None,
    toc: bool = False,
    language: str = "en",
) -> str:
    """Render an executed notebook to a self-contained page (see the module docstring).

    Parameters
    ----------
    nb : the executed ``nbformat`` notebook (papermill's output, also when it failed: the
        failing cell's traceback is an output and stays visible).
    toc : add a table of contents built from the rendered h1-h3 headings (final report).
    """
    exporter = _exporter(language)
    resources = {
        "evaluation_css": CSS,
        "evaluation_header": "",
        "metadata": {"name": title},
    }
    nb.metadata["title"] = title
    # Cell ids are random (jupytext and papermill make new ones on every run) and the page
    # carries them as element ids: numbered instead, the same inputs give the same page.
    for number, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{number}"
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    contents = headings(body) if toc else None
    head = header_html(
        title=title,
        status=status,
        parameters=parameters,
        provenance=provenance,
        error=error,
        toc=contents,
        language=language,
    )
    # The header goes right after <body ...>; rendering twice keeps nbconvert's own escaping.
    body = body.replace("<main>", head + "\n<main>", 1)
    return _remove_external(body)


def error_page(
    *,
    title: str,
    parameters: Mapping[str, Any],
    provenance: Mapping[str, Any],
    error: str,
    language: str = "en",
) -> str:
    """A page for a job that could not start (bad parameters, missing notebook)."""
    head = header_html(
        title=title,
        status="failed",
        parameters=parameters,
        provenance=provenance,
        error=error,
        language=language,
    )
    lang = html.escape(language if language in ("en", "es") else "en")
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8" />\n'
        f"<title>{html.escape(title)}</title>\n<style>{CSS}</style>\n</head>\n"
        f"<body>\n{head}\n</body>\n</html>\n"
    )
