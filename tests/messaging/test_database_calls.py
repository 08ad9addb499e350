"""The socket's database threads: connection pings at most once a second per thread."""

import pytest
from django.db import connection

from messaging import threads

pytestmark = pytest.mark.django_db


def test_a_thread_pings_its_connection_at_most_once_a_second(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(threads.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(threads, "_pinged_at", type(threads._pinged_at)())
    connection.ensure_connection()
    assert connection.health_check_enabled

    def next_call_pings() -> bool:
        connection.health_check_done = False  # as at the start of every call
        threads._skip_recent_health_checks()
        return not connection.health_check_done

    assert next_call_pings()  # the first call of this thread
    clock[0] += 0.5
    assert not next_call_pings()  # half a second later: trusted without a ping
    clock[0] += 0.6
    assert next_call_pings()  # more than a second since the last ping
    assert not next_call_pings()
