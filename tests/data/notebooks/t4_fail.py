# %% [markdown]
# # A job whose code fails (tests failure isolation and the error page)

# %% tags=["parameters"]
outcome = "log_labor_productivity"
sample = "all"
language = "en"
seed = 1
processed_dir = "data/processed"
raw_dir = "data/raw"

# %%
x = 1

# %%
raise ValueError(f"deliberate failure for outcome {outcome}")
