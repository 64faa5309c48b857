"""``evaluation report``: the reports index and the final reports' PDFs.

``reports/index.html`` is rebuilt from ``reports/run_manifest.json`` as a landing page: the
programme, whether the run is complete (every job succeeded) or which jobs failed or did not
run and why, the headline result (the final report's own headline sentence, from
:func:`evaluation.reporting.report_builder.headline`), the final reports in both languages
(HTML, PDF, DOCX), the analysis pages grouped by evaluation question (``program.questions``,
else by outcome), the run's tables (estimates, values, manifest), then every job grouped by
notebook with its parameters, status, reason, time and a link to its page. It is plain HTML
with inline CSS and no script, so it opens offline and from a deposited archive. The
programme's name comes from the manifest (the run's settings), never from this code.

The final reports are documents built from the run's recorded outputs
(:mod:`evaluation.reporting.report_builder`): PDF through the ``typst`` wheel, DOCX through the
bundled pandoc, and an offline HTML document, so no browser is needed. A renderer whose
package is missing is skipped with one line (the machine's state, not a failure of the run).
"""

from __future__ import annotations

import html
import json
import sys
from pathlib import Path
from typing import Any, TextIO

from evaluation.pipeline import cache
from evaluation.pipeline.manifest import read_manifest, write_manifest

INDEX = "index.html"
_CSS = """
body { font-family: system-ui, sans-serif; margin: 24px; color: #222; max-width: 1200px; }
h1 { font-size: 24px; } h2 { font-size: 18px; margin-top: 28px; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; margin: 6px 0 12px; font-size: 13px; }
th, td { border: 1px solid #ddd; padding: 3px 8px; text-align: left; }
th { background: #f3f5f7; }
.ok, .cached { color: #1b5e20; } .failed, .failed-earlier { color: #b71c1c; font-weight: bold; }
.stale, .not-run { color: #8d6e00; }
.meta { color: #555; font-size: 13px; }
"""
STATUS_TEXT = {
    "ok": "ok (ran)",
    "cached": "ok (up to date)",
    "failed": "FAILED",
    "failed earlier": "FAILED (last run; not re-run)",
    "stale": "stale (inputs changed, not re-run)",
    "not run": "not run",
    "pending": "pending (run cut off)",
}
PDF_SKIPPED = (
    "PDF skipped: Chromium is not installed (apt-get install chromium, or set "
    "EVALUATION_CHROMIUM); the HTML reports are complete"
)


def _a(href: str, text: str) -> str:
    return f'<a href="{html.escape(href, quote=True)}">{html.escape(text)}</a>'


def _pdf_rel(page: str) -> str:
    return page[: -len(".html")] + ".pdf"


INDEX_FILES = {"en": INDEX, "es": "index.es.html"}


def _say(key: str, language: str, **values: Any) -> str:
    """A landing-page text from the catalogue (``site.<key>``), HTML-escaped."""
    from evaluation.reporting.translations import t

    return html.escape(t(f"site.{key}", language, **values))


def build_index(reports: Path) -> Path:
    """Write the landing page in English (``reports/index.html``) and Spanish
    (``reports/index.es.html``), each linking to the other; every link points to a file
    there. Returns the English page's path."""
    reports = Path(reports)
    manifest = read_manifest(reports)
    settings = _settings_of(manifest)
    for language, name in INDEX_FILES.items():
        path = reports / name
        cache.atomic_write_text(path, _index_page(reports, manifest, settings, language))
    return reports / INDEX


def _index_page(reports: Path, manifest: dict[str, Any], settings: Any, lang: str) -> str:
    """One language's landing page: programme, status, headline, final reports, pages by
    question, tables, then the job list."""
    jobs: list[dict[str, Any]] = manifest.get("jobs", [])
    prov = manifest.get("provenance", {})
    name = str((manifest.get("program") or {}).get("name") or "Programme")
    other = "es" if lang == "en" else "en"
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{lang}">',
        f'<head><meta charset="utf-8"><title>{_say("title", lang, program=name)}</title>',
        f"<style>{_CSS}</style></head>",
        "<body>",
        f'<p class="meta" lang="{other}">{_a(INDEX_FILES[other], _lang_switch(other))}</p>',
        f"<h1>{_say('heading', lang, program=name)}</h1>",
        f'<p class="meta">{_say("run", lang)} {html.escape(str(manifest.get("created", "")))}'
        f" &middot; commit <code>{html.escape(str(prov.get('commit', '')))}</code> &middot; "
        f"{_say('package', lang)} {html.escape(str(prov.get('package_version', '')))} &middot; "
        f"{html.escape(_summary_text(manifest.get('summary', {}), lang))}</p>",
        *_status_banner(jobs, lang),
    ]
    parts += _headline(settings, reports, lang)
    finals = [j for j in jobs if j.get("final") and j.get("page")]
    if finals:
        parts.append(f"<h2>{_say('finals', lang)}</h2><ul>")
        for job in finals:
            label = _final_label(job, lang)
            links = []
            if (reports / job["page"]).is_file():
                links.append(_a(job["page"], "HTML"))
            if (reports / _pdf_rel(job["page"])).is_file():
                links.append(_a(_pdf_rel(job["page"]), "PDF"))
            for kind, text in (("docx", "DOCX"), ("html", t_site("document", lang))):
                target = document_paths(reports, job["page"])[kind]
                if target.is_file():
                    links.append(_a(target.relative_to(reports).as_posix(), text))
            status = job.get("status", "")
            parts.append(
                f"<li>{html.escape(label)}: {' &middot; '.join(links) or _say('no_page', lang)} "
                f'<span class="{_cls(status)}">{html.escape(_status_text(status, lang))}</span></li>'
            )
        parts.append("</ul>")
    parts += _pages_by_question(settings, jobs, reports, lang)
    files = [
        ("estimates.csv", "file.estimates_csv"),
        ("estimates.parquet", "file.estimates_parquet"),
        ("values.json", "file.values"),
        ("run_manifest.json", "file.manifest"),
    ]
    present = [(f, d) for f, d in files if (reports / f).is_file()]
    if present:
        parts.append(f"<h2>{_say('tables', lang)}</h2><ul>")
        parts += [f"<li>{_a(f, f)}: {_say(d, lang)}</li>" for f, d in present]
        parts.append("</ul>")
    parts.append(f"<h2>{_say('jobs', lang)}</h2>")
    for notebook in _ordered({j["notebook"] for j in jobs}, jobs):
        group = [j for j in jobs if j["notebook"] == notebook]
        keys = _param_keys(group)
        title = next((j["title"] for j in group if j.get("title")), "")
        heading = f"{notebook}: {title}" if title else notebook
        parts.append(f'<h3 id="{html.escape(notebook, quote=True)}">{html.escape(heading)}</h3>')
        head = "".join(f"<th>{html.escape(k)}</th>" for k in keys)
        parts.append(
            f"<table><tr>{head}<th>{_say('col.status', lang)}</th>"
            f"<th>{_say('col.reason', lang)}</th><th>{_say('col.time', lang)}</th>"
            f"<th>{_say('col.page', lang)}</th></tr>"
        )
        for job in group:
            cells = "".join(
                f"<td>{html.escape(str(job['parameters'].get(k, '')))}</td>" for k in keys
            )
            status = job.get("status", "")
            dur = job.get("duration")
            page = job.get("page")
            link = (
                _a(page, t_site("open", lang)) if page and (reports / page).is_file() else "&ndash;"
            )
            if job.get("final") and page and (reports / _pdf_rel(page)).is_file():
                link += " &middot; " + _a(_pdf_rel(page), "PDF")
            error = job.get("error") or ""
            title = f' title="{html.escape(error.splitlines()[0], quote=True)}"' if error else ""
            parts.append(
                f'<tr>{cells}<td class="{_cls(status)}"{title}>'
                f"{html.escape(_status_text(status, lang))}</td>"
                f"<td>{html.escape(_reason(job))}</td>"
                f"<td>{'' if dur is None else f'{float(dur):.1f}'}</td><td>{link}</td></tr>"
            )
        parts.append("</table>")
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)


def t_site(key: str, language: str, **values: Any) -> str:
    """A landing-page text from the catalogue (``site.<key>``), not escaped."""
    from evaluation.reporting.translations import t

    return t(f"site.{key}", language, **values)


def _lang_switch(language: str) -> str:
    return t_site(f"switch.{language}", language)


def _status_text(status: str, language: str) -> str:
    key = f"status.{status.replace(' ', '_')}"
    from evaluation.reporting.translations import has_message

    return t_site(key, language) if has_message(f"site.{key}") else status


def _settings_of(manifest: dict[str, Any]) -> Any:
    """The run's settings (its manifest's settings root), or None when they cannot be read:
    the index then groups pages by outcome and shows no headline."""
    from evaluation.config import ConfigError, load_settings

    root = manifest.get("settings_root")
    try:
        return load_settings(root=Path(root)) if root else None
    except (ConfigError, OSError, ValueError):
        return None


def _headline(settings: Any, reports: Path, language: str = "en") -> list[str]:
    """The headline result: the sentence the final report opens with (the same function),
    or a line saying it is not available in this run."""
    from evaluation.reporting.report_builder import headline

    text = None
    if settings is not None:
        try:
            text = headline(settings, reports, language)
        except (KeyError, ValueError, TypeError, OSError):
            text = None
    if text is None:
        return [
            f'<p class="not-run"><strong>{_say("headline", language)}:</strong> '
            f"{_say('headline_missing', language)}</p>"
        ]
    return [f'<p class="headline">{html.escape(text)}</p>']


def _final_label(job: dict[str, Any], language: str = "en") -> str:
    """A final report's label: its language in words, then any other parameters."""
    params = dict(job.get("parameters", {}))
    report_language = params.pop("language", None)
    key = f"language.{report_language}"
    from evaluation.reporting.translations import has_message

    words = t_site(key, language) if has_message(f"site.{key}") else str(report_language or "")
    rest = ", ".join(f"{k}={v}" for k, v in params.items())
    return " ".join(x for x in (words, f"({rest})" if rest else "") if x) or job["notebook"]


def _pages_by_question(
    settings: Any, jobs: list[dict[str, Any]], reports: Path, language: str = "en"
) -> list[str]:
    """The analysis pages grouped by evaluation question (``program.questions``), else by
    outcome; pages of no single outcome (data quality, descriptives, network) last."""
    from evaluation.reporting.report_builder import localized_text
    from evaluation.reporting.translations import variable_label

    pages = [j for j in jobs if j.get("page") and not j.get("final")]
    if not pages:
        return []
    groups: list[tuple[str, list[dict[str, Any]]]] = []
    questions = list(settings.program.questions) if settings is not None else []
    primary = settings.analysis.primary_outcome if settings is not None else None
    placed: set[str] = set()
    if questions:
        for q in questions:
            outcomes = set(q.outcomes) or {primary}
            members = [j for j in pages if j["parameters"].get("outcome") in outcomes]
            groups.append((localized_text(q.text, language), members))
            placed |= {j["job"] for j in members}
    else:
        outcomes = [j["parameters"]["outcome"] for j in pages if j["parameters"].get("outcome")]
        for outcome in dict.fromkeys(outcomes):
            members = [j for j in pages if j["parameters"].get("outcome") == outcome]
            label = variable_label(str(outcome), language)
            groups.append((t_site("effects_on", language, outcome=label), members))
            placed |= {j["job"] for j in members}
    rest = [j for j in pages if j["job"] not in placed]
    if rest:
        groups.append((t_site("other_pages", language), rest))
    parts = [f"<h2>{_say('by_question', language)}</h2>"]
    for title, members in groups:
        parts.append(f"<h3>{html.escape(title)}</h3>")
        if not members:
            parts.append(f"<p>{_say('no_member', language)}</p>")
            continue
        parts.append("<ul>")
        for job in members:
            name = job.get("title") or job["notebook"]
            extra = {k: v for k, v in job["parameters"].items() if k not in ("outcome", "language")}
            label = f"{name} ({', '.join(f'{k}={v}' for k, v in extra.items())})" if extra else name
            status = str(job.get("status", ""))
            link = (
                _a(job["page"], str(label))
                if (reports / job["page"]).is_file()
                else html.escape(str(label))
            )
            parts.append(
                f'<li>{link} <span class="{_cls(status)}">'
                f"{html.escape(_status_text(status, language))}</span></li>"
            )
        parts.append("</ul>")
    return parts


def _reason(job: dict[str, Any]) -> str:
    """One line saying why a job has its status (the error's first line when it failed)."""
    if job.get("status") in ("failed", "failed earlier") and job.get("error"):
        lines = str(job["error"]).strip().splitlines()
        if lines:
            return lines[0][:300]
    return str(job.get("reason") or "")


def _status_banner(jobs: list[dict[str, Any]], language: str = "en") -> list[str]:
    """ "Complete" only when every job of the run succeeded; else each failed/not-run job."""
    bad = [j for j in jobs if j.get("status") not in ("ok", "cached")]
    if jobs and not bad:
        return [f'<p class="ok"><strong>{_say("complete", language, n=len(jobs))}</strong></p>']
    lines = [
        f'<p class="failed"><strong>{_say("incomplete", language, n=len(bad), total=len(jobs))}'
        f"</strong> {_say('incomplete_more', language)}</p><ul>"
    ]
    for job in bad:
        status = str(job.get("status", ""))
        page = job.get("page")
        name = _a(page, job["job"]) if page else html.escape(str(job["job"]))
        lines.append(
            f'<li>{name}: <span class="{_cls(status)}">'
            f"{html.escape(_status_text(status, language))}</span> &ndash; "
            f"{html.escape(_reason(job))}</li>"
        )
    lines.append("</ul>")
    return lines


def _cls(status: str) -> str:
    return status.replace(" ", "-")


def _summary_text(summary: dict[str, Any], language: str = "en") -> str:
    if not summary:
        return ""
    return t_site(
        "summary", language, jobs=summary.get("jobs", 0), ok=summary.get("ok", 0),
        cached=summary.get("cached", 0),
        failed=summary.get("failed", 0) + summary.get("failed_earlier", 0),
        not_run=summary.get("not_run", 0),
    )  # fmt: skip


def _ordered(names: set[str], jobs: list[dict[str, Any]]) -> list[str]:
    order: list[str] = []
    for job in jobs:
        if job["notebook"] in names and job["notebook"] not in order:
            order.append(job["notebook"])
    return order


def _param_keys(group: list[dict[str, Any]]) -> list[str]:
    keys: list[str] = []
    for job in group:
        for key in job.get("parameters", {}):
            if key not in keys:
                keys.append(key)
    return keys


def _params_text(job: dict[str, Any]) -> str:
    params = ", ".join(f"{k}={v}" for k, v in job.get("parameters", {}).items())
    return f"{job['notebook']} ({params})" if params else job["notebook"]


RENDERER_SKIPPED = "{what} skipped: the {package} package is not installed (make install)"


def _final_inputs_digest(
    reports: Path, page: Path, narrative: Path | None, raw: Path | None = None
) -> str:
    """A hash of everything a final report document is built from (the run's tables, the
    page, the narrative blocks, the truth file of simulated data, the package source) so an
    unchanged run reuses its files."""
    import hashlib

    h = hashlib.sha256()
    files = [page, reports / "estimates.parquet", reports / "values.json"]
    if raw is not None:
        files.append(raw / "truth.json")
    if narrative is not None and narrative.is_dir():
        files += sorted(narrative.rglob("*.md"))
    for path in files:
        h.update(str(path.name).encode())
        h.update((cache.sha256_file(path) if path.is_file() else "-").encode())
    h.update(str(cache.package_source_hash()).encode())
    return h.hexdigest()


def _run_raw(manifest: dict[str, Any], settings: Any) -> Path | None:
    """The raw data folder the run read (its manifest's inputs), else the configured one."""
    raw = (manifest.get("inputs") or {}).get("raw_dir")
    try:
        return Path(raw) if raw else settings.path("raw")
    except (KeyError, ValueError, OSError):
        return None


def _run_truth(raw: Path | None) -> dict[str, Any] | None:
    """The simulator's truth file of the run's raw data; None for real data or unreadable."""
    from evaluation.data.load import load_truth

    if raw is None:
        return None
    try:
        truth = load_truth(raw)
    except (OSError, ValueError):
        return None
    return truth if isinstance(truth, dict) else None


def document_paths(reports: Path, page: str) -> dict[str, Path]:
    """Where a final job's document goes: the PDF beside the page (what publish bundles),
    the DOCX beside it, the document HTML as ``<job>.document.html``."""
    stem = reports / page[: -len(".html")]
    return {"pdf": stem.with_suffix(".pdf"), "docx": stem.with_suffix(".docx"),
            "html": stem.with_name(stem.name + ".document.html")}  # fmt: skip


def print_finals(reports: Path, *, out: TextIO = sys.stdout, force: bool = False) -> list[str]:
    """Build every successful final report as a document (PDF, DOCX, HTML); return errors.

    The document is built from the run's recorded outputs by
    :mod:`evaluation.reporting.report_builder` in the job's language and rendered by Typst (PDF,
    no browser), pandoc (DOCX) and the package (HTML). A renderer whose package is missing is
    skipped with one line, never an error. Documents are rebuilt only when their inputs changed
    (a digest kept in the job's cache folder). The manifest records each file's hash and the
    sections still carrying generated draft text.
    """
    from evaluation.config import ConfigError, load_settings

    reports = Path(reports)
    manifest = read_manifest(reports)
    finals = [
        j for j in manifest.get("jobs", [])
        if j.get("final") and j.get("status") in ("ok", "cached") and j.get("page")
    ]  # fmt: skip
    errors: list[str] = []
    settings = None
    if finals:
        try:
            root = manifest.get("settings_root")
            settings = load_settings(root=Path(root)) if root else load_settings()
        except (ConfigError, OSError, ValueError) as err:
            errors.append(f"final report: settings cannot be read: {err}")
    skipped: set[str] = set()
    raw = _run_raw(manifest, settings) if settings is not None else None
    truth = _run_truth(raw)
    for job in finals if settings is not None else []:
        language = str(job["parameters"].get("language", "en"))
        targets = document_paths(reports, job["page"])
        narrative = settings.paths.narrative
        if narrative is not None and not narrative.is_absolute():
            narrative = settings.root / narrative
        stamp = cache.job_dir(reports, job["job"]) / "pdf.json"
        digest = _final_inputs_digest(reports, reports / job["page"], narrative, raw)
        if not force and stamp.is_file() and all(p.is_file() for p in targets.values()):
            recorded = json.loads(stamp.read_text(encoding="utf-8"))
            if recorded.get("inputs") == digest:
                job["drafts"] = recorded.get("drafts", [])
                continue
        try:
            done, drafts = _write_document(
                settings, reports, language, narrative, targets, skipped, truth=truth
            )
        except Exception as err:  # noqa: BLE001 - a defect of the report: say which, keep the rest
            errors.append(f"final report {job['job']}: {type(err).__name__}: {err}")
            continue
        job["drafts"] = drafts
        if done == set(targets):
            cache.atomic_write_text(
                stamp, json.dumps({"inputs": digest, "drafts": drafts}, sort_keys=True)
            )
        for kind in sorted(done):
            print(f"wrote {targets[kind]}", file=out)
    for line in sorted(skipped):
        print(line, file=out)
    for job in finals:
        targets = document_paths(reports, job["page"])
        for kind, target in targets.items():
            rel = target.relative_to(reports).as_posix()
            job[kind] = rel if target.is_file() else None
            job[f"{kind}_sha256"] = cache.sha256_file(target) if target.is_file() else None
    write_manifest(reports, {k: v for k, v in manifest.items() if k != "schema"})
    return errors


def _write_document(
    settings, reports, language, narrative, targets, skipped, *, truth=None
) -> tuple[set, list]:
    """Build one language's document and write what the installed renderers can."""
    import importlib.util

    from evaluation.reporting.document_html import to_html
    from evaluation.reporting.report_builder import build_document

    doc = build_document(settings, reports, language, narrative_dir=narrative, truth=truth)
    done: set[str] = set()
    cache.atomic_write_text(targets["html"], to_html(doc))
    done.add("html")
    if importlib.util.find_spec("typst") is None:
        skipped.add(RENDERER_SKIPPED.format(what="PDF", package="typst"))
    else:
        from evaluation.reporting.typst import compile_pdf

        compile_pdf(doc, targets["pdf"])
        done.add("pdf")
    if importlib.util.find_spec("pypandoc") is None:
        skipped.add(RENDERER_SKIPPED.format(what="DOCX", package="pypandoc-binary"))
    else:
        from evaluation.reporting.docx import write_docx

        write_docx(doc, targets["docx"])
        done.add("docx")
    return done, list(doc.drafts)


def _job_of(manifest: dict[str, Any], page: Path, reports: Path) -> str:
    for job in manifest.get("jobs", []):
        if job.get("page") and (reports / job["page"]) == page:
            return job["job"]
    raise KeyError(page)


def command(args: Any, settings: Any) -> int:
    """``evaluation report``: rebuild the index and print the final reports to PDF."""
    value = getattr(args, "reports", None)
    reports = Path(value).resolve() if value else settings.path("reports")
    try:
        errors = print_finals(reports)
        path = build_index(reports)
    except (FileNotFoundError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(f"index: {path}")
    for err in errors:
        print(f"error: {err}", file=sys.stderr)
    return 1 if errors else 0
