"""Fixed-window rate limits on public POSTs and staff sign-in, counted in the cache (shared via
Redis in production), and a cap on expensive work running at once in one process.

The client address is only hashed into a short-lived cache key; it is never stored with a record.
"""

import hashlib
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    count, _, period = rate.partition("/")
    return int(count), PERIODS[period]


def client_address(request) -> str:
    proxies = settings.PERINATAL_TRUSTED_PROXIES
    if proxies:
        forwarded = [
            a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def retry_after(request, scope: str) -> int:
    """Count this request; returns 0 if allowed, else the seconds until the window resets."""
    limit, period = parse_rate(settings.PERINATAL_RATE_LIMITS[scope])
    now = int(time.time())
    window = now // period
    digest = hashlib.sha256(
        f"{settings.SECRET_KEY}:{client_address(request)}".encode()
    ).hexdigest()[:24]
    key = f"rl:{scope}:{digest}:{window}"
    cache.add(key, 0, timeout=period + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=period + 1)
        count = 1
    if count <= limit:
        return 0
    return (window + 1) * period - now


def rate_limited(scope: str):
    """Refuse POSTs over the scope's limit with a 429 page that still shows the crisis lines."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method == "POST":
                wait = retry_after(request, scope)
                if wait:
                    response = render(
                        request,
                        "too_many_requests.html",
                        {"wait_minutes": max(1, wait // 60)},
                        status=429,
                    )
                    response["Retry-After"] = str(wait)
                    return response
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


class ConcurrencyCap:
    """At most ``settings.<setting>`` callers inside ``slot()`` at once in this process; the
    others are told at once (``free`` is False) instead of waiting, so a flood of expensive
    requests cannot take every server thread while cheap ones queue behind them."""

    def __init__(self, setting: str):
        self.setting = setting
        self._lock = threading.Lock()
        self._running = 0

    @contextmanager
    def slot(self) -> Iterator[bool]:
        with self._lock:
            free = self._running < getattr(settings, self.setting)
            if free:
                self._running += 1
        try:
            yield free
        finally:
            if free:
                with self._lock:
                    self._running -= 1
