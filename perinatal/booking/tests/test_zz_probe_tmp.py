import pytest
from collections import Counter
from datetime import timedelta
from perinatal.booking.tests.test_races import *  # noqa
from perinatal.booking.tests.test_races import connected, all_at_once, post_json, booking_body, free_starts, assert_no_overlaps

@pytest.mark.usefixtures("no_rate_limits")
def test_overlapping_starts(live_server, one_clinician):
    video, clinician = one_clinician
    (first,) = free_starts(video, 1)
    starts = [first + timedelta(minutes=30 * k) for k in range(4)]
    def attempt(n, c):
        return lambda: post_json(c, "/api/v1/bookings", booking_body(starts[n % 4], n))
    conns = connected(live_server, 40)
    results = all_at_once([attempt(n, c) for n, c in enumerate(conns)])
    print(Counter(s for s, _ in results), [b for s, b in results if s not in (201, 409)][:2])
    assert_no_overlaps(clinician)
    assert {s for s, _ in results} <= {201, 409}
