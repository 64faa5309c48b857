"""The command line never shows a traceback for a user's problem (evaluation.cli.main):
one line, what/where/how, exit 2; --debug adds the traceback; a defect says it is one (exit 3).
And `evaluation config --show` prints the effective settings with each value's source."""

from __future__ import annotations

import types

import pytest
import yaml

from evaluation.cli import EXIT_INTERNAL, EXIT_USER, main


def _root(tmp_path, evaluation: str, local: str | None = None):
    (tmp_path / "config").mkdir(parents=True, exist_ok=True)
    (tmp_path / "config" / "evaluation.yml").write_text(evaluation, encoding="utf-8")
    if local is not None:
        (tmp_path / "config" / "local.yml").write_text(local, encoding="utf-8")
    return tmp_path


def _lines(text: str) -> list[str]:
    return [line for line in text.strip().splitlines() if line.strip()]


def test_invalid_configuration_is_one_line(tmp_path, monkeypatch, capsys):
    root = _root(tmp_path, "analysis: {alpha: 2}\n")
    monkeypatch.setenv("EVALUATION_ROOT", str(root))
    assert main(["config", "--show"]) == EXIT_USER
    err = _lines(capsys.readouterr().err)
    assert len(err) == 1 and err[0].startswith("error (configuration): ")
    assert "analysis.alpha" in err[0] and "evaluation.yml" in err[0]
    assert main(["--debug", "config", "--show"]) == EXIT_USER
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err and "error (configuration)" in err
    (root / "config" / "evaluation.yml").write_text("analysis: [\n")
    assert main(["run", "--dry-run", "--debug"]) == EXIT_USER  # --debug after the subcommand
    err = capsys.readouterr().err
    assert "cannot be read as YAML" in err and "Traceback" in err


def test_a_defect_says_it_is_one(tmp_path, monkeypatch, capsys):
    import evaluation.cli as cli

    root = _root(tmp_path, "program: {name: X}\n")
    monkeypatch.setenv("EVALUATION_ROOT", str(root))

    def broken(args, settings):
        return {}["no such key"]

    fake = types.SimpleNamespace(command=broken)
    monkeypatch.setattr(cli.importlib, "import_module", lambda name: fake)
    assert main(["report"]) == EXIT_INTERNAL
    err = _lines(capsys.readouterr().err)
    assert len(err) == 1 and err[0].startswith("internal error (a defect")
    assert "please report" in err[0] and "KeyError" in err[0]


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (OSError(28, "No space left on device", "/data/x.parquet"), "the disk is full"),
        (PermissionError(13, "Permission denied", "/data"), "permission denied"),
        (MemoryError(), "out of memory"),
    ],
)
def test_environment_errors_are_one_line(tmp_path, monkeypatch, capsys, error, expected):
    import evaluation.cli as cli

    root = _root(tmp_path, "program: {name: X}\n")
    monkeypatch.setenv("EVALUATION_ROOT", str(root))

    def fail(args, settings):
        raise error

    monkeypatch.setattr(cli.importlib, "import_module", lambda name: types.SimpleNamespace(
        command=fail))  # fmt: skip
    assert main(["report"]) == EXIT_USER
    err = _lines(capsys.readouterr().err)
    assert len(err) == 1 and err[0].startswith("error (environment)") and expected in err[0]


def test_unreadable_raw_data_is_one_line(tmp_path, monkeypatch, capsys):
    root = _root(tmp_path, "program: {name: X}\n")
    monkeypatch.setenv("EVALUATION_ROOT", str(root))
    monkeypatch.setenv("EVALUATION_PSEUDONYM_KEY", "a-test-key-of-at-least-16-bytes")
    rc = main(["prepare", "--raw", str(tmp_path / "nowhere"), "--processed", str(tmp_path / "p")])
    captured = capsys.readouterr()
    assert rc in (1, 2)  # prepare's own exit codes for invalid/unreadable data
    assert "Traceback" not in captured.err + captured.out
    assert "nowhere" in captured.err + captured.out
    assert not (tmp_path / "p").exists()  # bad input writes nothing


def test_config_show_names_every_source(tmp_path, monkeypatch, capsys):
    root = _root(
        tmp_path,
        "program: {name: Default}\nanalysis: {primary_outcome: y, seed: 7}\n",
        "program: {name: Other Programme}\nanalysis: {primary_outcome: log_sales}\n",
    )
    monkeypatch.setenv("EVALUATION_ROOT", str(root))
    monkeypatch.setenv("EVALUATION_PROCESSED", str(tmp_path / "proc"))
    assert main(["config", "--show"]) == 0
    out = capsys.readouterr().out
    text, sources = out.split("# where each value came from", 1)
    data = yaml.safe_load(text)
    assert data["program"]["name"] == "Other Programme"
    assert data["analysis"]["primary_outcome"] == "log_sales"
    assert data["analysis"]["seed"] == 7
    assert data["paths"]["processed"] == str(tmp_path / "proc")
    where = dict(line.split(None, 1) for line in _lines(sources))
    assert where["program.name"] == "local.yml"
    assert where["analysis.primary_outcome"] == "local.yml"
    assert where["analysis.seed"] == "evaluation.yml"
    assert where["paths.processed"] == "environment EVALUATION_PROCESSED"
    assert where["analysis.alpha"] == "default"
    assert where["paths.raw"] == "default"
