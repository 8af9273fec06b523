"""Adverse events, their reporting obligations and clocks, the obligations board, line listings."""
