"""memory:// counters (app/memory_limits.py): limits' storage, swept in the hitting thread
at most once a second instead of on a new thread after every hit (issue 14)."""

import threading
import time

from limits import parse
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

from app import memory_limits
from app.memory_limits import SweepingMemoryStorage


def test_memory_scheme_gives_the_sweeping_storage():
    assert isinstance(storage_from_string("memory://"), SweepingMemoryStorage)


def test_hits_start_no_thread_and_the_limit_still_holds():
    storage = storage_from_string("memory://")
    limiter = FixedWindowRateLimiter(storage)
    limit = parse("5/minute")
    threads_before = threading.active_count()
    answers = [limiter.hit(limit, "user:1") for _ in range(7)]
    time.sleep(0.05)  # limits' own storage would have started a timer thread by now
    assert answers == [True] * 5 + [False] * 2
    assert limiter.hit(limit, "user:2")  # another key has its own counter
    assert threading.active_count() <= threads_before


def test_expired_counters_are_swept(monkeypatch):
    monkeypatch.setattr(memory_limits, "SWEEP_EVERY", 0.0)
    storage = SweepingMemoryStorage()
    storage.incr("gone", expiry=0.01)
    storage.incr("kept", expiry=60)
    time.sleep(0.02)
    storage._next_sweep = 0.0
    storage.incr("kept", expiry=60)  # this hit sweeps
    assert "gone" not in storage.storage
    assert storage.get("kept") == 2
    assert storage.get("gone") == 0
