"""``python -m bot demo``: a reproducible ticket history for trying the reports."""
