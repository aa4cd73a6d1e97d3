"""``memory://`` rate-limit counters without a new thread per hit.

limits' ``MemoryStorage`` sweeps expired counters on a ``threading.Timer`` of 10 ms, started
again by every hit that finds the last one finished: under steady traffic each rate-limited
request starts a thread and waits for it to be scheduled (on a busy 2-core machine a few
milliseconds, about 9% of a check-in in a profile; issue 14). Expired counters are already
ignored when read (``get`` checks the expiry), so the sweep only frees memory: here it runs in
the hitting thread itself, at most once per second, one sweep at a time. Registered for the
``memory`` scheme, so ``RATELIMIT_STORAGE_URI=memory://`` (the default) uses it; Redis and the
other storages are untouched. Test: tests/unit/test_memory_limits.py.
"""

import threading
import time

from limits.storage import MemoryStorage

SWEEP_EVERY = 1.0  # seconds


class SweepingMemoryStorage(MemoryStorage):
    STORAGE_SCHEME = ["memory"]  # replaces limits' own class for memory://

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self._next_sweep = time.monotonic() + SWEEP_EVERY
        self._sweeping = threading.Lock()

    def _MemoryStorage__schedule_expiry(self) -> None:  # noqa: N802  (overrides the private hook)
        if time.monotonic() < self._next_sweep or not self._sweeping.acquire(blocking=False):
            return
        try:
            self._next_sweep = time.monotonic() + SWEEP_EVERY
            # limits' own sweep; a release that renames it leaves expired counters to be
            # ignored when read (as they already are), never a failed request.
            expire = getattr(self, "_MemoryStorage__expire_events", None)
            if expire is not None:
                expire()
        finally:
            self._sweeping.release()
