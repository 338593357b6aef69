"""The report: out/report.html rendered from the out/*.csv files."""
