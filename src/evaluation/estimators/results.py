"""One results schema for every estimator.

Every estimator in :mod:`evaluation.estimators` returns an :class:`EstimationResult` (or a
subclass). Its ``tidy()`` table is the single source: the accessors, ``summary()``, the HTML
repr and the pipeline's estimates table all derive from it. Columns follow the broom/pyfixest
convention ``term, estimate, std_error, statistic, p_value, conf_low, conf_high`` plus
estimator-specific ones (``group``, ``time``, ``event_time``, ...).

``event_time`` (periods since first treatment) is ``float64`` in every table that has it:
the event studies, the Callaway-Sant'Anna ATT(g,t) and its event-time aggregation. Float
because the aggregations' ``overall`` row has none (NaN) and Callaway-Sant'Anna accepts
non-integer periods; whole numbers print without decimals in term names (``event_time::-1``,
``e=-1``) and ``int(e)`` recovers them.
"""

from __future__ import annotations

import html
import warnings
import weakref
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import FrozenInstanceError, dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from evaluation.estimators import constants
from evaluation.estimators.constants import FEW_CLUSTERS, TIDY_COLUMNS
from evaluation.estimators.distributions import norm_ppf, norm_sf, t_ppf, t_sf

HTML_ROWS = 30  # rows of the tidy table shown by the notebook (HTML) repr


class FewClustersWarning(UserWarning):
    """Cluster-robust (CRV1) inference with fewer clusters than is safe; use a wild bootstrap."""


def tidy_frame(
    terms: Sequence[Any],
    estimates: Sequence[float] | np.ndarray,
    std_errors: Sequence[float] | np.ndarray,
    *,
    df: float | None = None,
    alpha: float = 0.05,
    extra: dict[str, Sequence[Any]] | None = None,
) -> pd.DataFrame:
    """Build a tidy table from estimates and standard errors.

    ``df`` gives Student-t inference with that many degrees of freedom (fixest uses G - 1
    for clustered and N - K otherwise); ``None`` gives normal inference (R ``did``).
    """
    est = np.asarray(estimates, dtype=float)
    se = np.asarray(std_errors, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        stat = est / se
    if df is None:
        crit = norm_ppf(1 - alpha / 2)
        p_value = 2 * norm_sf(np.abs(stat))
    else:
        crit = t_ppf(1 - alpha / 2, df)
        p_value = 2 * t_sf(np.abs(stat), df)
    frame = pd.DataFrame(
        {
            "term": list(terms),
            "estimate": est,
            "std_error": se,
            "statistic": stat,
            "p_value": p_value,
            "conf_low": est - crit * se,
            "conf_high": est + crit * se,
        }
    )
    for name, values in (extra or {}).items():
        frame[name] = list(values)
    return frame


@dataclass(frozen=True, eq=False)
class ModelSpec(Mapping):
    """What was fitted, without the data: columns by role, options, sample counts, fingerprint.

    A frozen record kept by every result as ``result.spec`` (and, for older callers,
    ``result.info["spec"]``). It reads as a mapping of the flattened keys (``spec["unit"]``,
    ``spec.get("cluster")``, ``spec["term"]``...) so that code written for the earlier dict
    specs keeps working; ``"data"`` is not one of them: a result never holds its input.

    Attributes
    ----------
    kind : the model (``"twfe"``, ``"did_2x2"``, ``"event_study_sunab"``, ...).
    outcome : the dependent variable.
    columns : column names by role (``unit``, ``time``, ``treatment``, ``covariates``,
        ``weights``, ``cluster``, ``fixed_effects``, ...).
    options : the other options that change the numbers (``vcov``, ``method``, ...).
    n_input : rows of the data passed; ``nobs`` rows used.
    dropped : ``(reason, count)`` pairs, e.g. ``("missing outcome", 3)``, ``("singleton", 1)``.
    fingerprint : :func:`evaluation.estimators.inputs.fingerprint` of the columns used.
    """

    kind: str
    outcome: str
    columns: dict[str, Any] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)
    n_input: int = 0
    nobs: int = 0
    dropped: tuple[tuple[str, int], ...] = ()
    fingerprint: str = ""
    _source: Any = field(default=None, repr=False, compare=False)

    # --- mapping view (legacy dict specs) --------------------------------------------
    def _flat(self) -> dict[str, Any]:
        return {"kind": self.kind, "outcome": self.outcome, **self.columns, **self.options}

    def __getitem__(self, key: str) -> Any:
        return self._flat()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._flat())

    def __len__(self) -> int:
        return len(self._flat())

    def used_columns(self) -> list[str]:
        """Every data column the model read (in role order, without repeats)."""
        out: list[str] = [self.outcome]
        for value in self.columns.values():
            if isinstance(value, str):
                out.append(value)
            elif isinstance(value, (list, tuple)):
                out.extend(v for v in value if isinstance(v, str))
        return list(dict.fromkeys(out))

    # --- the data, weakly ------------------------------------------------------------
    def source(self) -> pd.DataFrame | None:
        """The DataFrame the model was fitted on, if still reachable, else None.

        Never pickled. With ``constants.KEEP_FITTED_DATA`` False only a weak reference is
        kept (the result does not keep the data alive); True (this release, for callers that
        do not pass ``data=`` yet) keeps it in memory. Pass the data explicitly instead.
        """
        return None if self._source is None else self._source()

    def check_data(self, data: pd.DataFrame, where: str) -> None:
        """Raise a ValueError unless ``data`` has the fingerprint of the fitted data."""
        from evaluation.estimators.inputs import check_columns, fingerprint

        check_columns(data, self.used_columns(), where)
        if self.fingerprint and fingerprint(data, self.used_columns()) != self.fingerprint:
            raise ValueError(
                f"{where}: the data passed are not the data the {self.kind} model was fitted "
                f"on (different rows or values in {self.used_columns()}); pass the same data"
            )

    def resolve_data(self, data: pd.DataFrame | None, where: str) -> pd.DataFrame:
        """``data`` checked against the fingerprint, or the still-alive fitted data.

        Falling back on the fitted data is deprecated (a DeprecationWarning says to pass
        ``data=``); when the caller no longer holds it, a ValueError says so.
        """
        if data is not None:
            self.check_data(data, where)
            return data
        held = self.source()
        if held is None:
            raise ValueError(
                f"{where}: results do not keep their data; pass the data the {self.kind} model "
                "was fitted on with data="
            )
        warnings.warn(
            f"{where}: pass data= explicitly (the fitted data are found only while the caller "
            "still holds them)",
            DeprecationWarning,
            stacklevel=3,
        )
        return held

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_source"] = None
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        for key, value in state.items():
            object.__setattr__(self, key, value)

    def __repr__(self) -> str:
        cols = ", ".join(f"{k}={v!r}" for k, v in self.columns.items() if v not in (None, [], ()))
        return f"ModelSpec({self.kind}: {self.outcome} ~ {cols}; nobs={self.nobs})"


def make_spec(
    kind: str,
    data: pd.DataFrame,
    outcome: str,
    columns: Mapping[str, Any],
    options: Mapping[str, Any] | None = None,
    *,
    nobs: int,
    dropped: Sequence[tuple[str, int]] = (),
) -> ModelSpec:
    """Build the :class:`ModelSpec` of a fit on ``data`` (fingerprinted, weakly referenced)."""
    from evaluation.estimators.inputs import fingerprint

    cols = {k: (list(v) if isinstance(v, (list, tuple)) else v) for k, v in columns.items()}
    spec = ModelSpec(
        kind=kind,
        outcome=outcome,
        columns=cols,
        options=dict(options or {}),
        n_input=len(data),
        nobs=int(nobs),
        dropped=tuple((str(r), int(c)) for r, c in dropped if c),
    )
    object.__setattr__(spec, "fingerprint", fingerprint(data, spec.used_columns()))
    if constants.KEEP_FITTED_DATA:
        object.__setattr__(spec, "_source", lambda: data)
    else:
        try:
            object.__setattr__(spec, "_source", weakref.ref(data))
        except TypeError:  # cannot be weakly referenced: nothing to fall back on
            pass
    return spec


@dataclass(eq=False)
class EstimationResult:
    """Estimates with their inference and provenance; immutable once built.

    Attributes
    ----------
    estimator : short name (``"twfe"``, ``"callaway_santanna"``, ...).
    table : the tidy table (see module docstring).
    nobs : observations used.
    vcov : covariance matrix of the estimates, indexed by term, when the estimator has one.
    vcov_type : description of the variance estimator (``"CRV1 by stratum"``, ...).
    n_clusters : number of clusters, when inference is clustered.
    outcome : the dependent variable.
    notes : sentences a reader of the table needs (sample restrictions, conventions). The
        list may be appended to (callers turn warnings into notes); prefer :meth:`with_notes`.
    info : estimator-specific extras (e.g. a pre-trend test).
    spec : the :class:`ModelSpec` (columns, options, sample counts, fingerprint), or None.

    Assigning an attribute after construction raises ``FrozenInstanceError``; build a new
    result with :meth:`with_notes`, :meth:`with_vcov` or :func:`dataclasses.replace`.
    """

    estimator: str
    table: pd.DataFrame
    nobs: int
    vcov: pd.DataFrame | None = None
    vcov_type: str = ""
    n_clusters: int | None = None
    outcome: str = ""
    notes: list[str] = field(default_factory=list)
    info: dict[str, Any] = field(default_factory=dict)
    spec: ModelSpec | None = None

    def __post_init__(self) -> None:
        missing = [c for c in TIDY_COLUMNS if c not in self.table.columns]
        if missing:
            raise ValueError(f"{self.estimator}: tidy table lacks columns {missing}")
        if self.spec is None and isinstance(self.info.get("spec"), ModelSpec):
            object.__setattr__(self, "spec", self.info["spec"])
        object.__setattr__(self, "_frozen", True)

    def __setattr__(self, name: str, value: Any) -> None:
        if not self.__dict__.get("_frozen", False) or name.startswith("_"):
            object.__setattr__(self, name, value)
            return
        if name == "notes" and isinstance(value, list):
            # kept for callers of the mutable results: same list object, new contents
            warnings.warn(
                "assigning result.notes is deprecated; use result.with_notes(...)",
                DeprecationWarning,
                stacklevel=2,
            )
            self.notes[:] = value
            return
        raise FrozenInstanceError(
            f"cannot assign {name!r}: estimation results are immutable; use with_notes(), "
            "with_vcov() or dataclasses.replace()"
        )

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete {name!r}: estimation results are immutable")

    # --- new results from this one -----------------------------------------------------
    def with_notes(self, *notes: str) -> EstimationResult:
        """A copy with ``notes`` appended (repeats skipped)."""
        merged = list(dict.fromkeys([*self.notes, *notes]))
        return replace(self, notes=merged, info=dict(self.info))

    def with_vcov(
        self, vcov: str | Mapping[str, Any], *, data: pd.DataFrame | None = None
    ) -> EstimationResult:
        """The same estimates with another variance estimator (pyfixest's ``vcov()``).

        ``vcov``: ``"iid"``, ``"hetero"`` (HC1), ``{"CRV1": col}``, ``{"CRV3": col}``
        (leave-one-cluster-out jackknife) or ``{"CRV1": [col1, col2]}`` (two-way,
        Cameron-Gelbach-Miller 2011). Results do not keep their data: pass the fitted data
        with ``data=`` (checked against the fingerprint); see
        :func:`evaluation.estimators.postfit.revcov` for conventions.
        """
        from evaluation.estimators.postfit import revcov

        return revcov(self, vcov, data=data)

    # --- accessors derived from tidy() -------------------------------------------------
    def tidy(self) -> pd.DataFrame:
        """The estimates as a tidy DataFrame (a copy)."""
        return self.table.copy()

    def _series(self, column: str) -> pd.Series:
        return pd.Series(self.table[column].to_numpy(), index=self.table["term"], name=column)

    @property
    def coef(self) -> pd.Series:
        return self._series("estimate")

    @property
    def se(self) -> pd.Series:
        return self._series("std_error")

    @property
    def pvalue(self) -> pd.Series:
        return self._series("p_value")

    def confint(self) -> pd.DataFrame:
        return self.table.set_index("term")[["conf_low", "conf_high"]]

    # --- presentation ------------------------------------------------------------------
    def _header(self) -> list[str]:
        lines = [f"Estimator: {self.estimator}"]
        if self.outcome:
            lines.append(f"Outcome: {self.outcome}")
        lines.append(f"Observations: {self.nobs:,}")
        if self.vcov_type:
            lines.append(f"Inference: {self.vcov_type}")
        if self.n_clusters is not None:
            lines.append(f"Clusters: {self.n_clusters}")
        return lines

    def summary(self, digits: int = 4) -> str:
        """A plain-text summary: header, the tidy table, notes."""
        body = self.table.to_string(index=False, float_format=lambda v: f"{v:.{digits}f}")
        notes = [f"Note: {n}" for n in self.notes]
        return "\n".join([*self._header(), "", body, *([""] + notes if notes else [])])

    def __str__(self) -> str:
        return self.summary()

    def __repr__(self) -> str:
        parts = [self.outcome or "-", f"{len(self.table)} row(s)", f"{self.nobs:,} obs"]
        if self.vcov_type:
            parts.append(self.vcov_type)
        return f"<{type(self).__name__} {self.estimator}: {'; '.join(parts)}>"

    def _repr_html_(self) -> str:
        head = "<br>".join(html.escape(line) for line in self._header())
        shown = self.table.head(HTML_ROWS)
        table = shown.to_html(index=False, float_format=lambda v: f"{v:.4f}", border=0)
        more = len(self.table) - len(shown)
        if more > 0:
            table += f"<p><em>... {more} more row(s): see tidy()</em></p>"
        notes = "".join(f"<p><em>{html.escape(n)}</em></p>" for n in self.notes)
        return f"<div class='estimation-result'><p>{head}</p>{table}{notes}</div>"


def warn_few_clusters(n_clusters: int | None, vcov: str, notes: list[str]) -> None:
    """Warn and note when CRV1 is used with fewer than ~30 clusters (Cameron-Miller 2015)."""
    if n_clusters is not None and n_clusters < FEW_CLUSTERS and vcov.upper().startswith("CRV"):
        message = (
            f"only {n_clusters} clusters: CRV1 standard errors over-reject with fewer than "
            f"~{FEW_CLUSTERS} clusters; report wild cluster bootstrap inference beside them"
        )
        notes.append(message)
        warnings.warn(message, FewClustersWarning, stacklevel=3)
