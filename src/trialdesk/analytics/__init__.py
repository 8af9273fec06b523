"""Statistics over plain arrays: forecasting, KRIs, sample size, randomization (no Django)."""
