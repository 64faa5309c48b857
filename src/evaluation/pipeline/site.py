"""``evaluation report``: the reports index and the final reports' PDFs.

``reports/index.html`` is rebuilt from ``reports/run_manifest.json``: whether the run is
complete (every job succeeded) or which jobs failed or did not run and why, the final reports
(HTML and PDF), the run's tables (estimates, values, manifest), then every job grouped by
notebook with its parameters, status, reason, time and a link to its page. It is plain HTML
with inline CSS and no script, so it opens offline and from a deposited archive. The
programme's name comes from the manifest (the run's settings), never from this code.

Printing needs Chromium; without it the HTML reports stand and one line says how to enable
the PDFs (a missing browser is the machine's state, not a failure of the run).
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


def build_index(reports: Path) -> Path:
    """Write ``reports/index.html`` from the run manifest; every link points to a file there."""
    reports = Path(reports)
    manifest = read_manifest(reports)
    jobs: list[dict[str, Any]] = manifest.get("jobs", [])
    prov = manifest.get("provenance", {})
    name = str((manifest.get("program") or {}).get("name") or "Programme")
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        f'<head><meta charset="utf-8"><title>{html.escape(name)} evaluation: reports</title>',
        f"<style>{_CSS}</style></head>",
        "<body>",
        f"<h1>{html.escape(name)} impact evaluation: reports</h1>",
        f'<p class="meta">Run {html.escape(str(manifest.get("created", "")))} &middot; commit '
        f"<code>{html.escape(str(prov.get('commit', '')))}</code> &middot; package "
        f"{html.escape(str(prov.get('package_version', '')))} &middot; "
        f"{html.escape(_summary_text(manifest.get('summary', {})))}</p>",
        *_status_banner(jobs),
    ]
    finals = [j for j in jobs if j.get("final") and j.get("page")]
    if finals:
        parts.append("<h2>Final evaluation report</h2><ul>")
        for job in finals:
            label = _params_text(job)
            links = []
            if (reports / job["page"]).is_file():
                links.append(_a(job["page"], "HTML"))
            if (reports / _pdf_rel(job["page"])).is_file():
                links.append(_a(_pdf_rel(job["page"]), "PDF"))
            status = job.get("status", "")
            parts.append(
                f"<li>{html.escape(label)}: {' &middot; '.join(links) or 'no page'} "
                f'<span class="{_cls(status)}">{html.escape(STATUS_TEXT.get(status, status))}</span></li>'
            )
        parts.append("</ul>")
    files = [
        ("estimates.csv", "every estimate of every job (CSV)"),
        ("estimates.parquet", "the same table (Parquet)"),
        ("values.json", "scalars recorded by the notebooks"),
        ("run_manifest.json", "run manifest: jobs, parameters, hashes, timings, versions"),
    ]
    present = [(f, d) for f, d in files if (reports / f).is_file()]
    if present:
        parts.append("<h2>Tables and manifest</h2><ul>")
        parts += [f"<li>{_a(f, f)}: {html.escape(d)}</li>" for f, d in present]
        parts.append("</ul>")
    for notebook in _ordered({j["notebook"] for j in jobs}, jobs):
        group = [j for j in jobs if j["notebook"] == notebook]
        keys = _param_keys(group)
        title = next((j["title"] for j in group if j.get("title")), "")
        heading = f"{notebook}: {title}" if title else notebook
        parts.append(f'<h2 id="{html.escape(notebook, quote=True)}">{html.escape(heading)}</h2>')
        head = "".join(f"<th>{html.escape(k)}</th>" for k in keys)
        parts.append(
            f"<table><tr>{head}<th>status</th><th>reason</th><th>time (s)</th><th>page</th></tr>"
        )
        for job in group:
            cells = "".join(
                f"<td>{html.escape(str(job['parameters'].get(k, '')))}</td>" for k in keys
            )
            status = job.get("status", "")
            dur = job.get("duration")
            page = job.get("page")
            link = _a(page, "open") if page and (reports / page).is_file() else "&ndash;"
            if job.get("final") and page and (reports / _pdf_rel(page)).is_file():
                link += " &middot; " + _a(_pdf_rel(page), "PDF")
            error = job.get("error") or ""
            title = f' title="{html.escape(error.splitlines()[0], quote=True)}"' if error else ""
            parts.append(
                f'<tr>{cells}<td class="{_cls(status)}"{title}>'
                f"{html.escape(STATUS_TEXT.get(status, status))}</td>"
                f"<td>{html.escape(_reason(job))}</td>"
                f"<td>{'' if dur is None else f'{float(dur):.1f}'}</td><td>{link}</td></tr>"
            )
        parts.append("</table>")
    parts += ["</body>", "</html>", ""]
    path = reports / INDEX
    cache.atomic_write_text(path, "\n".join(parts))
    return path


def _reason(job: dict[str, Any]) -> str:
    """One line saying why a job has its status (the error's first line when it failed)."""
    if job.get("status") in ("failed", "failed earlier") and job.get("error"):
        lines = str(job["error"]).strip().splitlines()
        if lines:
            return lines[0][:300]
    return str(job.get("reason") or "")


def _status_banner(jobs: list[dict[str, Any]]) -> list[str]:
    """ "Complete" only when every job of the run succeeded; else each failed/not-run job."""
    bad = [j for j in jobs if j.get("status") not in ("ok", "cached")]
    if jobs and not bad:
        return [f'<p class="ok"><strong>Complete: all {len(jobs)} jobs succeeded.</strong></p>']
    lines = [
        f'<p class="failed"><strong>INCOMPLETE: {len(bad)} of {len(jobs)} jobs did not '
        "succeed.</strong> Their results are missing from the pages and tables.</p><ul>"
    ]
    for job in bad:
        status = str(job.get("status", ""))
        page = job.get("page")
        name = _a(page, job["job"]) if page else html.escape(str(job["job"]))
        lines.append(
            f'<li>{name}: <span class="{_cls(status)}">'
            f"{html.escape(STATUS_TEXT.get(status, status))}</span> &ndash; "
            f"{html.escape(_reason(job))}</li>"
        )
    lines.append("</ul>")
    return lines


def _cls(status: str) -> str:
    return status.replace(" ", "-")


def _summary_text(summary: dict[str, Any]) -> str:
    if not summary:
        return ""
    return (
        f"{summary.get('jobs', 0)} jobs: {summary.get('ok', 0)} ran, "
        f"{summary.get('cached', 0)} up to date, "
        f"{summary.get('failed', 0) + summary.get('failed_earlier', 0)} failed, "
        f"{summary.get('not_run', 0)} not run"
    )


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


def print_finals(reports: Path, *, out: TextIO = sys.stdout, force: bool = False) -> list[str]:
    """Print every successful final report to PDF beside its HTML; return error messages.

    A PDF is re-printed only when its HTML changed (the page hash is kept in the job's cache
    folder), so a run with nothing changed stays fast. The manifest records each PDF's hash.
    """
    from evaluation.reporting import pdf

    reports = Path(reports)
    manifest = read_manifest(reports)
    todo: list[tuple[Path, Path, str]] = []
    finals = [
        j for j in manifest.get("jobs", [])
        if j.get("final") and j.get("status") in ("ok", "cached") and j.get("page")
    ]  # fmt: skip
    for job in finals:
        page = reports / job["page"]
        target = reports / _pdf_rel(job["page"])
        stamp = cache.job_dir(reports, job["job"]) / "pdf.json"
        current = cache.sha256_file(page)
        if not force and target.is_file() and stamp.is_file():
            if json.loads(stamp.read_text(encoding="utf-8")).get("page_sha256") == current:
                continue
        todo.append((page, target, str(job["parameters"].get("language", "en"))))
    errors: list[str] = []
    if todo and pdf.find_chromium() is None:
        print(PDF_SKIPPED, file=out)  # not an error: the machine has no browser
        todo = []
    if todo:
        try:
            pdf.print_pdfs(todo)
        except Exception as err:  # a crash of the browser: the HTML reports stand; say so
            errors.append(f"could not print the final reports to PDF: {type(err).__name__}: {err}")
        for page, target, _ in todo:
            if target.is_file() and not errors:
                stamp = cache.job_dir(reports, _job_of(manifest, page, reports)) / "pdf.json"
                cache.atomic_write_text(
                    stamp, json.dumps({"page_sha256": cache.sha256_file(page)}, sort_keys=True)
                )
                print(f"printed {target}", file=out)
    for job in finals:
        target = reports / _pdf_rel(job["page"])
        job["pdf"] = _pdf_rel(job["page"]) if target.is_file() else None
        job["pdf_sha256"] = cache.sha256_file(target) if target.is_file() else None
    write_manifest(reports, {k: v for k, v in manifest.items() if k != "schema"})
    return errors


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
