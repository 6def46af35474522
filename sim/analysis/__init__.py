"""Analyses over runs: comparing saved runs, sweeping levers, ranking them by sensitivity.

``compare`` pairs runs and computes their differences; ``sweep`` and
``sensitivity`` are split by role, as SALib is: the design of the experiment
(``design``), running it (``run``), its files (``files``) and plots (``plots``);
``sensitivity.indices`` computes and reads the indices. ``experiment`` holds what
sweeps and sensitivity analyses share.
"""
