"""The notebook pipeline: parameters, records, jobs, cache, executors, manifest, publishing.

Notebooks use :func:`record` and :func:`record_value` to hand estimates and scalars to the run,
and :func:`evaluation.pipeline.parameters.check` to validate their parameters.
"""

from evaluation.pipeline.record import load_estimates, load_values, record, record_value

__all__ = ["load_estimates", "load_values", "record", "record_value"]
