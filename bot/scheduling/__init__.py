"""Scheduled sweeps over indexed due-time columns. Each owns its transactions, claims its
rows atomically, survives one bad row, and returns a small summary that the worker logs."""
