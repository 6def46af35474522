"""What people read: charts and self-contained HTML reports, drawn from run folders.

``charts`` holds the building blocks every chart shares (axes, dates, colours,
rendering); ``plots`` draws one run, ``compare_plots`` several runs overlaid;
``html`` builds pages; ``run_report`` writes a run's ``plots/`` and ``report.html``,
``compare_report`` a comparison's. Everything is read from files (``sim.results``).
"""
