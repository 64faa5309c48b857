"""Helpers of the end-to-end reliability probes (tests/reliability/test_end_to_end.py).

* :data:`PAYLOADS` -- the hostile strings of issue #15 (a script element, an image with an
  event handler, a Markdown link to ``javascript:`` and an attribute break-out into ``<svg>``);
* :func:`hostile_root` -- a configuration root whose raw data carry a payload in every text
  column the data contract lets through (ids, clusters, organizations, strata, territories,
  sectors, countries, link types, organization names, personal fields), whose ``local.yml``
  puts payloads in the programme's name, title, description, donor and implementer and in a
  declared outcome's labels, and whose raw/processed/reports folders are named with payloads;
* :func:`cheap_pipeline` -- a pipeline file naming a few repository notebooks with the cheap
  parameters of the shared test run (tests/conftest.py), optionally with test notebooks;
* :func:`cli` -- the real command line in a subprocess with ``EVALUATION_ROOT`` set;
* :class:`LiveMarkup` -- an :mod:`html.parser` pass over a page that lists every live element
  (script, event-handler attribute, ``javascript:`` URL, ``<svg>``/``<img>``/``<iframe>``...)
  a page could have received from its input.

The raw data are the committed simulation with values replaced consistently in every table (a
firm id in firms, firm_years and links alike), so prepare and the notebooks run as on the
default data. The folder is not the simulator's output any more, so a test key is set.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

REPO = Path(__file__).resolve().parents[2]
KEY = "end-to-end-reliability-test-key-0123456789"  # tests only, >= 16 bytes

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(2)>"
LINK = "[x](javascript:alert(3))"
SVG = '"><svg onload=alert(4)>'
PAYLOADS = (SCRIPT, IMG, LINK, SVG)
# A folder name cannot hold "/": the script payload loses its closing tag there.
FOLDER_PAYLOADS = ("<script>alert(1)<", IMG, LINK, SVG)

ENV_DROP = ("EVALUATION_RAW", "EVALUATION_PROCESSED", "EVALUATION_REPORTS", "EVALUATION_CONFIG",
            "EVALUATION_PSEUDONYM_KEY", "EVALUATION_ROOT")  # fmt: skip


def _tag(payload: str, what: str) -> str:
    """A payload made distinct per column (so a value never collides with another)."""
    return f"{payload} {what}"


def _replace(frame: pd.DataFrame, column: str, old: str, new: str) -> None:
    frame.loc[frame[column] == old, column] = new


def hostile_raw(raw: Path, source: Path | None = None) -> dict[str, str]:
    """Write the committed simulation to ``raw`` with payloads in every text column.

    Returns the replacements made (``column -> new value``). Values replaced in one table are
    replaced in every table that refers to them (firm ids in firm_years and links, countries
    in prices and organizations, organization ids in organizations).
    """
    source = source or REPO / "data" / "raw"
    raw.mkdir(parents=True, exist_ok=True)

    def read(name: str) -> pd.DataFrame:
        return pd.read_csv(source / name, dtype=str, keep_default_na=False)

    firms, years, links = read("firms.csv"), read("firm_years.csv"), read("links.csv")
    orgs, prices = read("organizations.csv"), read("prices.csv")
    done: dict[str, str] = {}
    participant = firms[firms["participant"] == "1"].iloc[0]
    women = firms[(firms["participant"] == "1") & (firms["women_led"] == "1")].iloc[0]
    # firm ids: one participant, one women-led participant (both in links, firm_years)
    for n, old in enumerate((participant["firm_id"], women["firm_id"])):
        new = _tag(PAYLOADS[n], f"firm{n}")
        for frame, cols in ((firms, ["firm_id"]), (years, ["firm_id"]),
                            (links, ["firm_a", "firm_b"])):  # fmt: skip
            for col in cols:
                _replace(frame, col, old, new)
        done[f"firm_id{n}"] = new
    cluster = participant["cluster_id"]
    _replace(firms, "cluster_id", cluster, done.setdefault("cluster_id", _tag(SVG, "cluster")))
    org = participant["organization"]
    new_org = done.setdefault("organization", _tag(IMG, "org"))
    _replace(firms, "organization", org, new_org)
    _replace(orgs, "organization", org, new_org)
    orgs.loc[orgs["organization"] == new_org, "name"] = done.setdefault(
        "organization_name", _tag(SCRIPT, "org name")
    )
    other = orgs["name"] != done["organization_name"]
    orgs.loc[other, "name"] = orgs.loc[other, "name"] + " " + LINK
    strata = participant["stratum"]
    _replace(firms, "stratum", strata, done.setdefault("stratum", _tag(LINK, "stratum")))
    territory = participant["territory"]
    _replace(firms, "territory", territory, done.setdefault("territory", _tag(SCRIPT, "terr")))
    sector = participant["sector"]
    _replace(firms, "sector", sector, done.setdefault("sector", _tag(SVG, "sector")))
    country = sorted(set(firms["country"]))[-1]
    new_country = done.setdefault("country", _tag(IMG, "country"))
    for frame in (firms, orgs, prices):
        _replace(frame, "country", country, new_country)
    kind = sorted(set(links["link_type"]))[0]
    _replace(links, "link_type", kind, done.setdefault("link_type", _tag(SCRIPT, "link")))
    # personal fields (dropped by prepare, still read by validate)
    firms["firm_name"] = firms["firm_name"] + " " + SVG
    firms["owner_name"] = IMG + " " + firms["owner_name"]
    firms.loc[firms.index[:5], "email"] = SCRIPT
    for name, frame in (("firms.csv", firms), ("firm_years.csv", years), ("links.csv", links),
                        ("organizations.csv", orgs), ("prices.csv", prices)):  # fmt: skip
        frame.to_csv(raw / name, index=False)
    shutil.copy2(source / "codebook.csv", raw / "codebook.csv")
    return done


def hostile_root(dest: Path) -> Path:
    """A configuration root for the hostile data set (see the module docstring)."""
    base = REPO / "config" / "evaluation.yml"
    default = yaml.safe_load(base.read_text(encoding="utf-8"))
    folders = {key: dest / f"{key} {FOLDER_PAYLOADS[i]}" for i, key in
               enumerate(("raw", "processed", "reports"))}  # fmt: skip
    hostile_raw(folders["raw"])
    analysis = dict(default["analysis"])
    analysis["secondary_outcomes"] = ["hostile_outcome"]
    analysis["index_outcomes"] = ["log_labor_productivity", "hostile_outcome"]
    local = {
        "paths": {key: str(path) for key, path in folders.items()},
        "program": {
            "name": f"Hostile {SCRIPT} Programme",
            "title": {"en": f"Title {IMG}", "es": f"Título {SVG}"},
            "description": {"en": f"Description {LINK} {SCRIPT}", "es": f"Descripción {IMG}"},
            "donor": f"Donor {SVG}",
            "implementer": f"Implementer {LINK}",
            "countries": [f"Country {SCRIPT}"],
            "period": [2016, 2018],
        },
        "outcomes": {
            "hostile_outcome": {
                "expr": "log_sales",
                "kind": "log",
                "label": {"en": f"Sales {SCRIPT}", "es": f"Ventas {IMG}"},
            }
        },
        "analysis": analysis,
    }
    root = dest / "root"
    (root / "config").mkdir(parents=True, exist_ok=True)
    shutil.copy2(base, root / "config" / "evaluation.yml")
    (root / "config" / "local.yml").write_text(
        yaml.safe_dump(local, sort_keys=False, allow_unicode=True), encoding="utf-8"
    )
    return root


def cheap_pipeline(
    path: Path,
    notebooks: list[str],
    *,
    extra: list[dict[str, Any]] | None = None,
    notebooks_dir: Path | None = None,
) -> Path:
    """A pipeline file running ``notebooks`` (one job each; the final report in en and es)
    with the shared test run's cheap parameters, plus ``extra`` entries as given."""
    from evaluation.pipeline.parameters import declared
    from tests.conftest import CHEAP_PARAMETERS

    folder = notebooks_dir or REPO / "notebooks"
    entries: list[dict[str, Any]] = []
    for name in notebooks:
        names = declared(folder / f"{name}.py")
        entry: dict[str, Any] = {
            "name": name,
            "parameters": {k: v for k, v in CHEAP_PARAMETERS.items() if k in names},
        }
        if "final" in name:
            entry.update(stage=2, final=True, grid={"language": ["en", "es"]})
        else:
            entry["grid"] = {"sample": ["all"]}
        entries.append(entry)
    entries += extra or []
    text = yaml.safe_dump(
        {"notebooks_dir": str(folder), "time_limit": 600, "notebooks": entries}, sort_keys=False
    )
    path.write_text(text, encoding="utf-8")
    return path


@dataclass
class Result:
    """What one command printed and how it exited."""

    rc: int
    out: str
    err: str

    @property
    def lines(self) -> list[str]:
        return [line for line in self.err.splitlines() if line.strip()]


def frozen_source(dest: Path) -> Path:
    """A copy of the ``evaluation`` package under ``dest/code``; returns the folder to put on
    ``PYTHONPATH``. Runs compared with each other (cache reuse, byte-identical reruns) then use
    one version of the code even while the checkout is being edited: the package's source is
    an input of every job's cache entry."""
    code = dest / "code"
    shutil.copytree(REPO / "src" / "evaluation", code / "evaluation",
                    ignore=shutil.ignore_patterns("__pycache__"))  # fmt: skip
    return code


def environment(root: Path, **extra: str) -> dict[str, str]:
    """The process environment of a CLI call: this one's, minus every EVALUATION_ variable,
    plus ``EVALUATION_ROOT`` and ``extra``."""
    env = {k: v for k, v in os.environ.items() if k not in ENV_DROP}
    env["EVALUATION_ROOT"] = str(root)
    env.update(extra)
    return env


def command(*argv: str) -> list[str]:
    """The ``evaluation`` command of this environment's interpreter."""
    return [sys.executable, "-m", "evaluation.cli", *argv]


def cli(root: Path, *argv: str, timeout: float = 600, **env: str) -> Result:
    """Run ``evaluation <argv>`` in a subprocess with the root's configuration."""
    proc = subprocess.run(
        command(*argv), env=environment(root, **env), capture_output=True, text=True,
        timeout=timeout, cwd=root,
    )  # fmt: skip
    return Result(proc.returncode, proc.stdout, proc.stderr)


# --- live markup ------------------------------------------------------------------------------
LIVE_TAGS = {"script", "svg", "img", "iframe", "object", "embed", "math", "base", "form",
             "meta", "link", "style"}  # fmt: skip
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster"}


@dataclass
class LiveMarkup(HTMLParser):
    """Every element of a page that could run code or load content, with its context.

    ``scripts`` holds each ``<script>``'s text (ours are whitelisted by content by the caller);
    ``problems`` lists event-handler attributes, ``javascript:`` URLs and the tags of
    :data:`LIVE_TAGS` other than script, each as ``tag attrs``.
    """

    scripts: list[str] = field(default_factory=list)
    tags: list[tuple[str, dict[str, str | None]]] = field(default_factory=list)
    handlers: list[str] = field(default_factory=list)
    javascript_urls: list[str] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    _in_script: bool = False
    _buffer: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        HTMLParser.__init__(self, convert_charrefs=True)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.tags.append((tag, values))
        for name, value in attrs:
            if name.startswith("on"):
                self.handlers.append(f"<{tag} {name}={value!r}>")
            text = (value or "").strip().lower().replace("\x00", "")
            if name in URL_ATTRIBUTES and "".join(text.split()).startswith("javascript:"):
                self.javascript_urls.append(f"<{tag} {name}={value!r}>")
        if tag == "script":
            self._in_script, self._buffer = True, []

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag == "script":
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._in_script:
            self.scripts.append("".join(self._buffer))
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self._buffer.append(data)
        else:
            self.text.append(data)

    @property
    def shown(self) -> str:
        """The page's text as a reader sees it (entities decoded), whitespace collapsed."""
        return " ".join("".join(self.text).split())


def parse(text: str) -> LiveMarkup:
    """Parse one page."""
    parser = LiveMarkup()
    parser.feed(text)
    parser.close()
    return parser


__all__ = ["KEY", "PAYLOADS", "FOLDER_PAYLOADS", "LiveMarkup", "Result", "cheap_pipeline",
           "cli", "command", "environment", "frozen_source", "hostile_raw", "hostile_root", "parse"]  # fmt: skip
