"""Salesforce API usage per org for Prometheus, read from Redis at scrape time.

`syncline_salesforce_api_used` / `_max`: the org's rolling 24-hour usage, as the last
`Sforce-Limit-Info` header said (any Syncline call of that org refreshes it).
`syncline_salesforce_org_polls_total` / `_org_poll_calls_total`: the change loop's polls and
the calls they cost (one Composite call per idle poll, whatever the number of mailboxes).
"""
from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import select

from app.models import Org
from app.runtime import Runtime
from app.state import keys


def record_poll(rt: Runtime, org_pk: int, calls: int) -> None:
    """Count one poll of an org and the API calls it made."""
    pipe = rt.redis.client.pipeline(transaction=False)
    pipe.hincrby(keys.org_poll_stats(org_pk), "polls", 1)
    pipe.hincrby(keys.org_poll_stats(org_pk), "calls", calls)
    pipe.execute()


class SalesforceUsageCollector(Collector):
    def __init__(self, rt: Runtime) -> None:
        self.rt = rt

    def collect(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
        used = GaugeMetricFamily("syncline_salesforce_api_used", "Salesforce API calls used in the rolling 24 h",
                                 labels=["org"])
        maximum = GaugeMetricFamily("syncline_salesforce_api_max", "Salesforce API calls allowed in 24 h",
                                    labels=["org"])
        polls = CounterMetricFamily("syncline_salesforce_org_polls", "Change polls run per org", labels=["org"])
        calls = CounterMetricFamily("syncline_salesforce_org_poll_calls", "Salesforce calls made by change polls",
                                    labels=["org"])
        with self.rt.db.session_scope() as s:
            orgs = list(s.execute(select(Org.id, Org.sf_org_id)))
        budget = self.rt.salesforce_stores.budget
        for org_pk, sf_org_id in orgs:
            usage = budget.usage(org_pk)
            if usage is not None:
                used.add_metric([sf_org_id], usage.used)
                maximum.add_metric([sf_org_id], usage.max)
            stats = self.rt.redis.client.hgetall(keys.org_poll_stats(org_pk))
            if stats:
                polls.add_metric([sf_org_id], int(stats.get(b"polls", 0)))
                calls.add_metric([sf_org_id], int(stats.get(b"calls", 0)))
        yield from (used, maximum, polls, calls)


def register_salesforce_usage(rt: Runtime) -> None:
    rt.metrics.registry.register(SalesforceUsageCollector(rt))
