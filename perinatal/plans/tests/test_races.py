"""Twenty people book one chair at one moment, each with a different clinician: one wins.

Only PostgreSQL runs writers truly at once (SQLite queues them behind one write lock), so only
there can this show that the exclusion constraint and the per-chair lock decide, and that the
losers get a clean clash, never a deadlock or a second booking.
"""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from perinatal.booking.models import Appointment, Clinician
from perinatal.notify.models import Message
from perinatal.pathway import services as pathway
from perinatal.plans import services
from perinatal.plans.tests.helpers import (
    a_patient,
    boston,
    chairs,
    infusion_type,
    local_start,
    signed_plan,
)

RACERS = 20


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_bookings_of_one_chair_at_once_make_one_appointment(infusion_clinic, staff):
    author = staff("clinician")
    location, visit_type = boston(), infusion_type()
    chair = chairs(location)[0]
    start = local_start(location)
    entrants = []
    for n in range(RACERS):
        clinician = Clinician.objects.create(name=f"Dr. Racer {n}")
        clinician.locations.add(location)
        patient = a_patient(name=f"Racer {n}", email=f"racer{n}@example.org")
        entrants.append((signed_plan(patient, author), clinician))
    barrier = threading.Barrier(RACERS)

    def attempt(entrant):
        plan, clinician = entrant
        try:
            barrier.wait(timeout=60)
            appointment = pathway.book_infusion(
                plan,
                visit_type=visit_type,
                location=location,
                start=start,
                clinician=clinician,
                chair=chair,
                user=author,
            )
            return "booked", appointment.pk
        except services.InfusionClash as clash:
            return "clash", (clash.chair_taken, clash.clinician_taken)
        finally:
            connection.close()  # each thread's own connection

    with ThreadPoolExecutor(max_workers=RACERS) as pool:
        results = list(pool.map(attempt, entrants))

    outcomes = sorted(kind for kind, _ in results)
    assert outcomes == ["booked"] + ["clash"] * (RACERS - 1), results
    # Every loser was told the chair was taken, not its clinician.
    assert {detail for kind, detail in results if kind == "clash"} == {(True, False)}
    assert Appointment.objects.filter(chair=chair).count() == 1
    assert Message.objects.filter(template="infusion_booked").count() == 1
