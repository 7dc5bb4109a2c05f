"""Two bookings of one patient into overlapping infusions, at the same moment: one wins.

Only PostgreSQL runs writers truly at once. Through the pathway, her record's row lock makes the
second booking read the first and refuse; with the gates' verdicts taken before either wrote
(as two processes would), the database's exclusion constraint refuses the second.
"""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from perinatal.booking.models import Appointment
from perinatal.lib.gates import GateClosed
from perinatal.pathway import gates
from perinatal.pathway import services as pathway
from perinatal.plans import services as plans
from perinatal.plans.tests.helpers import (
    a_patient,
    boston,
    chairs,
    clinicians,
    infusion_type,
    local_start,
    signed_plan,
)
from tests.harness import restore_shipped_defaults


def _race(attempts):
    barrier = threading.Barrier(len(attempts))

    def run(attempt):
        try:
            barrier.wait(timeout=60)
            return "booked", attempt().pk
        except (GateClosed, plans.NotBookable, plans.InfusionClash) as refusal:
            return "refused", str(refusal)
        finally:
            connection.close()  # each thread's own connection

    with ThreadPoolExecutor(max_workers=len(attempts)) as pool:
        return list(pool.map(run, attempts))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("through", ["the pathway", "the database alone"])
def test_two_bookings_of_her_at_once_make_one_infusion(infusion_clinic, staff, through):
    restore_shipped_defaults()  # an earlier committing test may have emptied them
    author = staff("clinician")
    location, visit_type = boston(), infusion_type()
    plan = signed_plan(a_patient(), author)
    # Different chairs, clinicians and hours: only she is shared.
    seats = list(zip(chairs(location)[:2], clinicians(location)[:2], (10, 13), strict=True))

    def attempt(chair, clinician, hour):
        start = local_start(location, hour=hour)
        if through == "the pathway":
            return lambda: pathway.book_infusion(
                plan,
                visit_type=visit_type,
                location=location,
                start=start,
                clinician=clinician,
                chair=chair,
                user=author,
            )
        verdict = gates.for_booking(plan, start=start, minutes=visit_type.duration_minutes)
        assert verdict.holds  # each writer saw no other infusion of hers
        return lambda: plans.book_infusion(
            plan,
            visit_type=visit_type,
            location=location,
            start=start,
            clinician=clinician,
            chair=chair,
            user=author,
            verdict=verdict,
        )

    results = _race([attempt(*seat) for seat in seats])

    assert sorted(kind for kind, _ in results) == ["booked", "refused"], results
    refusal = next(detail for kind, detail in results if kind == "refused")
    assert "another infusion" in refusal or "already has an infusion" in refusal, refusal
    assert Appointment.objects.filter(plan=plan, status="booked").count() == 1
