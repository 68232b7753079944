"""The read-cost bench (bench/read_costs.py) cannot rot: it runs here on a few items."""
from __future__ import annotations

from bench.read_costs import main


def test_a_few_items_print_both_cpu_figures() -> None:
    lines = main(["--items", "20", "--repeats", "1"])
    metrics = dict(line.split(": ", 1) for line in lines)
    assert list(metrics) == ["ical_read_ms_per_1000", "listing_parse_ms_per_1000"]
    assert all(float(value) > 0 for value in metrics.values())
