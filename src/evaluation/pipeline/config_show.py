"""``evaluation config --show``: the effective configuration and where each value came from.

Prints the merged settings as YAML (every key, defaults included, from
:meth:`evaluation.config.Settings.model_dump`) and then, per dotted key, its source: the
versioned ``evaluation.yml``, ``local.yml``, an environment variable, a command-line file
(``--config``) or ``default`` (no file sets it; the code's neutral default applies). An evaluator
sees at once whether a value of the default programme is still in force.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import yaml


def _source(key: str, sources: dict[str, str]) -> str:
    """The layer that set ``key`` (or the nearest parent key set whole, e.g. a list)."""
    parts = key.split(".")
    for n in range(len(parts), 0, -1):
        found = sources.get(".".join(parts[:n]))
        if found:
            return found
    nested = {v for k, v in sources.items() if k.startswith(key + ".")}
    return ", ".join(sorted(nested)) if nested else "default"


def effective(config: Path | None = None, root: Path | None = None) -> tuple[dict, dict[str, str]]:
    """The merged settings (JSON-ready) and the source of every dotted key."""
    from evaluation.config import flatten, load_layers, load_settings

    settings = load_settings(config, root=root)
    _, _, sources = load_layers(config, root=root)
    if config is not None:
        name = Path(config).name
        sources = {k: (f"{v} (--config)" if v == name else v) for k, v in sources.items()}
    data = settings.model_dump(mode="json")
    flat = flatten({k: v for k, v in data.items() if k != "root"})
    return data, {key: _source(key, sources) for key in flat}


def command(args: Any, settings: Any) -> int:
    """Print the effective configuration (``--show``; also the default action)."""
    data, where = effective(getattr(args, "config", None), settings.root)
    out = sys.stdout
    print(f"# effective configuration of {data.get('root')}", file=out)
    print(yaml.safe_dump(data, sort_keys=False, allow_unicode=True).rstrip(), file=out)
    print("\n# where each value came from", file=out)
    width = max((len(k) for k in where), default=0)
    for key, source in where.items():
        print(f"{key:<{width}}  {source}", file=out)
    return 0
