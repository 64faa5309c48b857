# ruff: noqa: E402
# %% [markdown]
# # A job that hangs (tests the per-job time limit)

# %% tags=["parameters"]
outcome = "log_labor_productivity"
sample = "all"
language = "en"
seed = 1
processed_dir = "data/processed"
raw_dir = "data/raw"
sleep = 600.0

# %%
import time

time.sleep(float(sleep))
