# ruff: noqa: E402, B018
# %% [markdown]
# # Tiny estimate
#
# A test notebook of the pipeline: a seeded "estimate" from the processed panel.

# %% tags=["parameters"]
outcome = "log_labor_productivity"
sample = "all"
language = "en"
seed = 1
processed_dir = "data/processed"
raw_dir = "data/raw"

# %%
from evaluation.pipeline.parameters import check

check(globals(), notebook="t1_tiny")

# %%
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from evaluation.estimators.results import EstimationResult, tidy_frame
from evaluation.pipeline import record, record_value

panel = pd.read_parquet(Path(processed_dir) / "panel.parquet")
if sample in ("CO", "EC"):
    panel = panel[panel["country"] == sample]
y = panel[outcome].dropna().to_numpy()
rng = np.random.default_rng(seed)
noise = rng.normal(size=3)

# %% [markdown]
# ## Result

# %%
table = tidy_frame(["mean", "noise"], [float(y.mean()), float(noise[0])], [0.1, 1.0], df=25)
result = EstimationResult("tiny", table, nobs=int(y.size), vcov_type="fixed", outcome=outcome)
record(result, label="tiny mean")
record_value("n_obs", int(y.size))
fig, ax = plt.subplots(figsize=(4, 3))
ax.hist(y, bins=20)
ax.set_title(f"{outcome} ({sample})")
plt.show()
result
