"""`tradeline report`: the timeline as one self-contained HTML page (a Plotly chart with its
JavaScript inlined, the tables beside it and the run it was built from), readable offline.

`build_report` is the entry point (`build.py`); `publish.py` rebuilds the page after every run
and shows it in the Prefect UI as the `timeline-report` artifact.
"""

from __future__ import annotations

from tradeline.report.build import AGGREGATE_ABOVE, LANES, ReportSummary, build_report

__all__ = ["AGGREGATE_ABOVE", "LANES", "ReportSummary", "build_report"]
