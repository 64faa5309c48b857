# ruff: noqa: E402, B018
# %% [markdown]
# # Slow estimate
#
# A test notebook of the end-to-end reliability probes: it waits ``pause`` seconds (so a
# run can be killed or joined while it works), then records a seeded "estimate" of the mean
# of ``outcome`` and the number of observations, like tests/data/notebooks/t1_tiny.py.

# %% tags=["parameters"]
outcome = "log_sales"
sample = "all"
language = "en"
seed = 1
pause = 0.0
processed_dir = "data/processed"
raw_dir = "data/raw"

# %%
import time
from pathlib import Path

import numpy as np
import pandas as pd

from evaluation.estimators.results import EstimationResult, tidy_frame
from evaluation.pipeline import record, record_value

time.sleep(float(pause))
panel = pd.read_parquet(Path(processed_dir) / "panel.parquet")
y = panel[outcome].dropna().to_numpy()
noise = np.random.default_rng(seed).normal(size=2)

# %% [markdown]
# ## Result

# %%
table = tidy_frame(["mean", "noise"], [float(y.mean()), float(noise[0])], [0.1, 1.0], df=25)
result = EstimationResult("slow", table, nobs=int(y.size), vcov_type="fixed", outcome=outcome)
record(result, label="slow mean")
record_value("n_obs", int(y.size))
result
