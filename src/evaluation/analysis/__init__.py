"""The analysis layer: (processed data, settings) -> results objects.

Notebooks call this layer and render what it returns; :mod:`evaluation.reporting` formats and
renders only. :mod:`evaluation.analysis.context` resolves what a study can estimate (years,
inference cluster, covariates, outcomes, optional data present or missing).
"""
