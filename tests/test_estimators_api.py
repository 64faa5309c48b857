"""The lazy export table of :mod:`evaluation.estimators` resolves every public name to the
function or class it names, also after every estimator submodule has been imported.

A submodule named like one of its functions would shadow the function: once imported, the
import system binds the package attribute to the module. These tests fail if that returns.
"""

from __future__ import annotations

import importlib
import pkgutil
import types
from pathlib import Path

import pytest

import evaluation.estimators as est

EXPORTS = dict(est._EXPORTS)


def _import_all_submodules() -> list[str]:
    names = [m.name for m in pkgutil.iter_modules(est.__path__)]
    for name in names:
        importlib.import_module(f"evaluation.estimators.{name}")
    return names


def test_export_table_names_exist_in_their_modules() -> None:
    for name, module in EXPORTS.items():
        mod = importlib.import_module(f"evaluation.estimators.{module}")
        assert hasattr(mod, name), f"{name!r} is not defined in evaluation.estimators.{module}"


def test_no_export_shares_a_submodule_name() -> None:
    submodules = {m.name for m in pkgutil.iter_modules(est.__path__)}
    assert not submodules & set(EXPORTS), "an export is shadowed by a submodule of that name"


@pytest.mark.parametrize("name", sorted(EXPORTS))
def test_export_is_the_public_object_after_all_submodules_are_imported(name: str) -> None:
    _import_all_submodules()
    obj = getattr(est, name)
    assert not isinstance(obj, types.ModuleType), f"evaluation.estimators.{name} is a module"
    assert callable(obj)
    mod = importlib.import_module(f"evaluation.estimators.{EXPORTS[name]}")
    assert obj is getattr(mod, name)
    # the from-import form goes through the same attribute lookup
    ns: dict[str, object] = {}
    exec(f"from evaluation.estimators import {name}", ns)
    assert ns[name] is obj


def test_all_and_dir_list_the_exports_and_unknown_names_raise() -> None:
    assert sorted(est.__all__) == sorted(EXPORTS)
    assert set(dir(est)) >= set(EXPORTS)
    with pytest.raises(AttributeError, match="no attribute 'not_an_estimator'"):
        est.not_an_estimator  # noqa: B018


def test_event_study_result_and_function_come_from_dynamic_effects() -> None:
    from evaluation.estimators import EventStudyResult, drdid, event_study

    assert event_study.__module__ == "evaluation.estimators.dynamic_effects"
    assert EventStudyResult.__module__ == "evaluation.estimators.dynamic_effects"
    assert drdid.__module__ == "evaluation.estimators.doubly_robust"


def test_docstring_examples_run(monkeypatch):
    """The docstring examples of the estimators package run on tests/data/mpdta.csv."""
    import doctest
    import importlib
    import warnings
    from pathlib import Path

    monkeypatch.chdir(Path(__file__).resolve().parents[1])
    modules = ["", ".did", ".staggered", ".presentation"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name in modules:
            mod = importlib.import_module(f"evaluation.estimators{name}")
            res = doctest.testmod(mod, optionflags=doctest.NORMALIZE_WHITESPACE)
            assert res.attempted > 0 and res.failed == 0, f"{mod.__name__}: {res}"


def test_first_fit_does_not_import_scipy_stats() -> None:
    """Cold start: a twfe, event-study and Callaway-Sant'Anna fit (with its aggregation and
    pre-test) in a fresh process load neither scipy.stats (over a second to import) nor
    statsmodels; importing the package alone loads no estimator module."""
    import subprocess
    import sys

    code = (
        "import sys, pandas as pd\n"
        "import evaluation.estimators as est\n"
        "assert not [m for m in sys.modules if m.startswith('evaluation.estimators.')]\n"
        "d = pd.read_csv('tests/data/mpdta.csv')\n"
        "d['post'] = ((d['first.treat'] > 0) & (d['year'] >= d['first.treat'])).astype(int)\n"
        "est.twfe(d, 'lemp', 'countyreal', 'year', 'post').tidy()\n"
        "est.event_study(d, 'lemp', 'countyreal', 'year', 'first.treat').pretrend_test()\n"
        "r = est.callaway_santanna(d, 'lemp', 'countyreal', 'year', 'first.treat')\n"
        "r.aggregate('dynamic').pretrend_test()\n"
        "heavy = [m for m in ('scipy.stats', 'statsmodels', 'matplotlib') if m in sys.modules]\n"
        "print(heavy)\n"
    )
    root = Path(__file__).resolve().parents[1]
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip().splitlines()[-1] == "[]", out.stdout + out.stderr
