"""The run folder: written atomically, its files written from a run's data, read back.

``folder`` creates a folder atomically (``atomic_folder``) and names it
(``default_out_dir``); ``files`` writes ``summary.json``, ``replications.csv``,
``monthly.csv``, ``trace.csv``, ``monthly_replications.csv`` and ``manifest.json``;
``read`` reads a folder back (``read_run``) for plots, reports and comparisons.
"""
