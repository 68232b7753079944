"""Push timing on plain data: a burst fires once, a busy mailbox still fires by the longest wait,
a failed firing comes back, and reconnect delays grow, stay capped and keep some jitter floor."""
from __future__ import annotations

from app.sync.push_timing import Debouncer, reconnect_delay


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_fires_once_after_the_mailbox_is_quiet():
    clock = Clock()
    debouncer = Debouncer(quiet=2, longest=30, clock=clock)
    for step in range(5):
        clock.now = step * 0.5
        debouncer.changed(7)
        assert debouncer.due() == []
    clock.now = 2 + 2
    assert debouncer.due() == [7]
    assert debouncer.due() == []


def test_a_mailbox_that_never_goes_quiet_fires_by_the_longest_wait():
    clock = Clock()
    debouncer = Debouncer(quiet=2, longest=5, clock=clock)
    fired = []
    for step in range(12):
        clock.now = step
        debouncer.changed(1)
        fired += [clock.now for _ in debouncer.due()]
    assert fired == [5.0, 11.0]


def test_mailboxes_are_debounced_apart_and_a_failed_firing_is_kept():
    clock = Clock()
    debouncer = Debouncer(quiet=1, longest=10, clock=clock)
    debouncer.changed(1)
    clock.now = 0.5
    debouncer.changed(2)
    clock.now = 1.0
    assert debouncer.due() == [1]
    debouncer.retry(1)
    assert debouncer.pending() == {1, 2}
    clock.now = 2.0
    assert sorted(debouncer.due()) == [1, 2]


def test_reconnect_delay_doubles_is_capped_and_jittered():
    assert [reconnect_delay(n, base=1, cap=60, rand=lambda: 1.0) for n in (1, 2, 3, 4, 10)] == [1, 2, 4, 8, 60]
    assert reconnect_delay(3, base=1, cap=60, rand=lambda: 0.0) == 0.4
    assert reconnect_delay(0, base=2, cap=60, rand=lambda: 1.0) == 2
