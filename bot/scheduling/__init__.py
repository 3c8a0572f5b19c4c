"""Scheduled work: the worker (APScheduler, a few fixed interval jobs) and the sweeps it
runs over indexed due-time columns, with the cadence and local-time rules they use. Each
sweep owns its transactions, claims its rows atomically, survives one bad row, and returns
a small summary that the worker logs."""
