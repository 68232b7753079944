"""The linking bench (bench/linking.py) cannot rot: it prints every headline metric with a figure."""
from __future__ import annotations

from bench.linking import main

HEADLINE = ("link_precision", "link_recall", "autoresolve_precision", "autoresolve_recall", "sf_calls_per_item")


def test_the_bench_prints_the_headline_metrics_with_figures(capsys) -> None:
    main()
    printed = [line for line in capsys.readouterr().out.splitlines() if not line.startswith("{")]
    metrics = dict(line.split(": ", 1) for line in printed)
    assert tuple(metrics)[:5] == HEADLINE
    assert all(float(metrics[name]) >= 0 for name in HEADLINE)
