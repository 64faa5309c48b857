# ruff: noqa: E402, B018
# %% [markdown]
# # Summary report
#
# Reads the estimates of stage 1 (a stand-in for the final report).

# %% tags=["parameters"]
outcome = "log_labor_productivity"
sample = "all"
language = "en"
seed = 1
processed_dir = "data/processed"
raw_dir = "data/raw"
reports_dir = "reports"

# %%
from evaluation.pipeline.parameters import check

check(globals(), notebook="t2_summary")

# %%
from evaluation.pipeline import load_estimates, load_values

estimates = load_estimates(reports_dir)
values = load_values(reports_dir)

# %% [markdown]
# ## Estimates
#
# ### Table

# %%
estimates[["job", "term", "estimate"]]

# %% [markdown]
# ## Values

# %%
values[["job", "name", "value"]]
