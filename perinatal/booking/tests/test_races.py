"""Races for one slot, for real: many HTTP requests at once against a live server, and the
database's overlap rule checked directly, underneath the services.

The HTTP tests fire 40 requests from 40 threads released together by a barrier at pytest-django's
``live_server`` (a threaded WSGI server in this process, one database connection per request).
The rate limits are raised for them: one client address sends everything.
"""

import http.client
import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from itertools import combinations
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.db import IntegrityError, transaction
from django.db.models import F
from django.test import override_settings
from django.utils import timezone

from perinatal.booking import services
from perinatal.booking.models import Appointment, Clinician, ConsultationType
from perinatal.booking.slots import find_slots
from perinatal.booking.tests.helpers import person
from perinatal.notify.models import Message

RACERS = 40
VIDEO = "free-video-consultation"  # the demo clinic's video type: 30 minutes, 10 minutes' buffer
NO_LIMITS = {
    "screening": "100000/h",
    "callback": "100000/h",
    "booking": "100000/h",
    "manage": "100000/h",
}


@pytest.fixture
def no_rate_limits():
    # live_server serves from a thread of this process, so overriding settings reaches it.
    with override_settings(PERINATAL_RATE_LIMITS=NO_LIMITS):
        yield


@pytest.fixture
def one_clinician(clinic) -> tuple[ConsultationType, Clinician]:
    """The demo video type offered by one clinician only, so one slot is one appointment."""
    video = ConsultationType.objects.get(slug=VIDEO)
    clinician = video.clinicians.earliest("pk")
    video.clinicians.set([clinician])
    return video, clinician


def free_starts(consultation: ConsultationType, count: int) -> list[datetime]:
    """The first ``count`` free start times from two days on (past the minimum notice and the
    notice for changes online), an hour or more apart: booking one leaves the next free."""
    now = timezone.now()
    starts: list[datetime] = []
    for slot in find_slots(
        consultation, start=now + timedelta(days=2), end=now + timedelta(days=30)
    ):
        if not starts or slot.start >= starts[-1] + timedelta(minutes=60):
            starts.append(slot.start)
        if len(starts) == count:
            return starts
    raise AssertionError(f"only {len(starts)} free times found")


def _accept_queue(port: int) -> int:
    """How many connections wait in the accept queue of the socket listening on ``port``."""
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:  # LISTEN
                return int(fields[4].split(":")[1], 16)
    raise AssertionError(f"nothing listens on port {port}")


def connected(live_server, count: int) -> list[http.client.HTTPConnection]:
    """``count`` connections the live server has accepted, each with its thread waiting on it.

    Django's test server listens with a backlog of 10: 40 connections opened at once overflow
    it and some are reset. So they are opened one by one beforehand and only the requests go at
    once, which also makes them more nearly simultaneous (no connection set-up in between).
    """
    address = urlsplit(live_server.url)
    connections = []
    for _ in range(count):
        connection = http.client.HTTPConnection(address.hostname, address.port, timeout=120)
        connection.connect()
        connections.append(connection)
        deadline = time.monotonic() + 10
        while _accept_queue(address.port) and time.monotonic() < deadline:
            time.sleep(0.005)
    return connections


def post_json(
    connection: http.client.HTTPConnection, path: str, body: dict, headers: dict | None = None
) -> tuple[int, dict]:
    try:
        connection.request(
            "POST",
            path,
            body=json.dumps(body),
            headers={"Content-Type": "application/json", **(headers or {})},
        )
        response = connection.getresponse()
        raw = response.read()
        try:
            return response.status, json.loads(raw)
        except ValueError:  # a server error page: keep its start for the failure message
            return response.status, {"not_json": raw[:300].decode(errors="replace")}
    finally:
        connection.close()


def all_at_once(calls: list) -> list:
    """Run each zero-argument call in its own thread, released together; their results in order."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait(timeout=60)
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def all_move_at_once(live_server, appointments: list, target: datetime) -> list:
    """Every appointment asks, at the same moment, to move to ``target``; their answers."""
    connections = connected(live_server, len(appointments))

    def attempt(appointment, connection):
        path = f"/api/v1/bookings/{services.issue_manage_link(appointment)}/reschedule"
        return lambda: post_json(connection, path, {"start": target.isoformat()})

    return all_at_once([attempt(a, c) for a, c in zip(appointments, connections, strict=True)])


def iso_z(instant: datetime) -> str:
    return instant.astimezone(UTC).isoformat().replace("+00:00", "Z")


def booking_body(start: datetime, n: int) -> dict:
    return {
        "type": VIDEO,
        "start": start.isoformat(),
        "name": f"Racer {n}",
        "email": f"racer{n}@example.org",
        "phone": "+16175550123",
        "language": "en",
        "stage": "postpartum",
        "key_date": (timezone.localdate() - timedelta(days=30)).isoformat(),
        "consent_to_contact": True,
    }


def assert_lost_the_race(status: int, body: dict, taken: datetime) -> None:
    assert status == 409, body
    assert body["error"]["code"] == "slot_taken", body
    assert isinstance(body["next_free"], list) and body["next_free"], body
    # The alternatives are worked out after the winner committed: the taken time is not offered.
    assert iso_z(taken) not in [slot["start"] for slot in body["next_free"]], body


def assert_no_overlaps(clinician: Clinician) -> None:
    held = list(
        Appointment.objects.booked()
        .filter(clinician=clinician)
        .values_list("pk", "starts_at", "blocked_until")
    )
    for (a, a_start, a_until), (b, b_start, b_until) in combinations(held, 2):
        assert not (a_start < b_until and b_start < a_until), (a, a_start, b, b_start)


# No marker: PostgreSQL and SQLite both run these. On SQLite the 40 writers queue for its one write
# lock (IMMEDIATE transactions, 20 s timeout) and each writer's check sees every commit before it;
# on PostgreSQL they really run at once and the exclusion constraint decides.


@pytest.mark.usefixtures("no_rate_limits")
def test_forty_bookings_of_one_slot_make_one_appointment(live_server, one_clinician):
    video, clinician = one_clinician
    (start,) = free_starts(video, 1)

    def attempt(n, connection):
        key = {"Idempotency-Key": f"race-key-{n:04d}-0123456789"}
        return lambda: post_json(connection, "/api/v1/bookings", booking_body(start, n), key)

    connections = connected(live_server, RACERS)
    results = all_at_once([attempt(n, c) for n, c in enumerate(connections)])

    statuses = sorted(status for status, _ in results)
    assert statuses == [201] + [409] * (RACERS - 1), [body for _, body in results]
    for status, body in results:
        if status == 201:
            assert body["start"] == iso_z(start)
            assert body["clinician"] == clinician.name
        else:
            assert_lost_the_race(status, body, start)
    assert Appointment.objects.booked().filter(clinician=clinician, starts_at=start).count() == 1
    assert Appointment.objects.count() == 1  # the losers' rows were rolled back …
    # … and so were their emails: one confirmation, one set of reminders.
    assert Message.objects.filter(template="appointment_booked").count() == 1
    assert Message.objects.filter(template="appointment_reminder").count() == 2


@pytest.mark.usefixtures("no_rate_limits")
def test_forty_reschedules_into_one_slot_move_one_appointment(live_server, one_clinician):
    video, clinician = one_clinician
    *theirs, target = free_starts(video, RACERS + 1)
    appointments = []
    for n, start in enumerate(theirs):
        appointment, created = services.book(
            video, start, person(name=f"Mover {n}", email=f"mover{n}@example.org"), via="web"
        )
        assert created and appointment.clinician == clinician
        appointments.append(appointment)

    results = all_move_at_once(live_server, appointments, target)

    statuses = sorted(status for status, _ in results)
    assert statuses == [200] + [409] * (RACERS - 1), [body for _, body in results]
    for (status, body), appointment in zip(results, appointments, strict=True):
        if status == 200:
            assert (body["start"], body["sequence"]) == (iso_z(target), 1)
            winner = appointment
        else:
            assert_lost_the_race(status, body, target)
    assert_no_overlaps(clinician)
    assert Appointment.objects.booked().filter(clinician=clinician, starts_at=target).count() == 1
    # Everyone else keeps her time, unchanged; the winner's old time is free again.
    now_at = dict(Appointment.objects.values_list("pk", "starts_at"))
    sequences = dict(Appointment.objects.values_list("pk", "sequence"))
    for appointment in appointments:
        expected = target if appointment == winner else appointment.starts_at
        assert now_at[appointment.pk] == expected
        assert sequences[appointment.pk] == (1 if appointment == winner else 0)
    assert Appointment.objects.booked().count() == RACERS
    assert Message.objects.filter(template="appointment_changed").count() == 1


@pytest.mark.usefixtures("no_rate_limits")
def test_forty_bookings_of_two_overlapping_times_make_one_appointment(live_server, one_clinician):
    """10:00 and 10:30 differ, so the unique (clinician, start) index cannot decide between
    them: only the overlap rule (exclusion constraint, trigger) can."""
    video, clinician = one_clinician
    (start,) = free_starts(video, 1)
    starts = [start, start + timedelta(minutes=30)]  # each blocks 40 minutes

    def attempt(n, connection):
        return lambda: post_json(connection, "/api/v1/bookings", booking_body(starts[n % 2], n))

    connections = connected(live_server, RACERS)
    results = all_at_once([attempt(n, c) for n, c in enumerate(connections)])

    statuses = sorted(status for status, _ in results)
    assert statuses == [201] + [409] * (RACERS - 1), [body for _, body in results]
    for status, body in results:
        if status == 409:
            assert body["error"]["code"] == "slot_taken", body
    assert_no_overlaps(clinician)
    assert Appointment.objects.count() == 1


# --- The rule underneath: whatever writes the row, the database refuses an overlap -------------


def appointment_row(
    clinician: Clinician,
    consultation: ConsultationType,
    start: datetime,
    *,
    minutes: int = 30,
    buffer: int = 10,
    status: str = Appointment.Status.BOOKED,
) -> Appointment:
    """An unsaved appointment written as a raw row would be, without the services' checks."""
    location = clinician.locations.first()
    assert location is not None
    return Appointment(
        via=Appointment.Via.WEB,
        status=status,
        cancelled_at=timezone.now() if status == Appointment.Status.CANCELLED else None,
        clinician=clinician,
        consultation_type=consultation,
        location=location,
        clinician_name=clinician.name,
        type_name=consultation.name,
        mode=consultation.mode,
        duration_minutes=minutes,
        buffer_minutes=buffer,
        location_name=location.name,
        time_zone=location.time_zone,
        starts_at=start,
        ends_at=start + timedelta(minutes=minutes),
        blocked_until=start + timedelta(minutes=minutes + buffer),
        name="Row Writer",
        email="row@example.org",
        phone="+16175550123",
        language="en",
        stage=Appointment.Stage.POSTPARTUM,
        key_date=timezone.localdate() - timedelta(days=30),
        contact_consent_at=timezone.now(),
        contact_consent_text="yes",
    )


def refused(write) -> bool:
    """Whether the database refuses ``write`` as an overlap (in a savepoint, so the test can go
    on); any other refusal (a check constraint) is an error in the test, not an answer."""
    try:
        with transaction.atomic():
            write()
    except IntegrityError as exc:
        if services.is_overlap(exc):
            return True
        raise
    return False


@pytest.mark.django_db
def test_the_database_refuses_an_overlap_however_it_is_written(clinic):
    video = ConsultationType.objects.get(slug=VIDEO)
    first, other = video.clinicians.order_by("pk")[:2]
    ten = datetime(2031, 6, 3, 14, tzinfo=UTC)
    held = appointment_row(first, video, ten)  # holds [10:00, 10:40)
    held.save()

    def row(start, **kwargs):
        return appointment_row(first, video, start, **kwargs)

    # .save(), bypassing the services: any overlap with the held range is refused.
    assert refused(row(ten).save)  # the same start
    assert refused(row(ten + timedelta(minutes=30)).save)  # inside its buffer
    assert refused(row(ten - timedelta(minutes=20)).save)  # its own buffer runs into the start
    assert refused(row(ten - timedelta(minutes=60), minutes=180).save)  # around it
    # Touching end to start is not an overlap, on either side.
    before = row(ten - timedelta(minutes=40))  # [9:20, 10:00)
    after = row(ten + timedelta(minutes=40))  # [10:40, 11:20)
    assert not refused(before.save)
    assert not refused(after.save)
    # A cancelled appointment holds nothing, and another clinician's time is theirs.
    cancelled = row(ten + timedelta(minutes=10), status=Appointment.Status.CANCELLED)
    assert not refused(cancelled.save)
    assert not refused(appointment_row(other, video, ten).save)

    # QuerySet.update(), bypassing save() too: moving or stretching into the held range …
    rows = Appointment.objects.filter
    assert refused(lambda: rows(pk=after.pk).update(starts_at=ten + timedelta(minutes=20)))
    assert refused(
        lambda: rows(pk=after.pk).update(
            starts_at=F("starts_at") - timedelta(minutes=10),
            ends_at=F("ends_at") - timedelta(minutes=10),
            blocked_until=F("blocked_until") - timedelta(minutes=10),
        )
    )
    assert refused(lambda: rows(pk=before.pk).update(blocked_until=ten + timedelta(minutes=1)))
    # … or booking again a cancelled row that overlaps.
    assert refused(
        lambda: rows(pk=cancelled.pk).update(status=Appointment.Status.BOOKED, cancelled_at=None)
    )
    # The same, through save() on a loaded row.
    moved = Appointment.objects.get(pk=after.pk)
    moved.starts_at = ten + timedelta(minutes=39)
    assert refused(moved.save)
    # Moves that keep clear are allowed: later, or up to exactly touching.
    two_hours = timedelta(hours=2)
    assert not refused(
        lambda: rows(pk=after.pk).update(
            starts_at=F("starts_at") + two_hours,
            ends_at=F("ends_at") + two_hours,
            blocked_until=F("blocked_until") + two_hours,
        )
    )
    assert not refused(
        lambda: rows(pk=after.pk).update(
            starts_at=ten + timedelta(minutes=40),
            ends_at=ten + timedelta(minutes=70),
            blocked_until=ten + timedelta(minutes=80),
        )
    )
    assert not refused(lambda: rows(pk=cancelled.pk).update(starts_at=ten + timedelta(minutes=5)))
    # A booked row may move over itself, and a cancelled one may stay where it is.
    assert not refused(lambda: rows(pk=held.pk).update(starts_at=ten + timedelta(minutes=5)))
    assert not refused(
        lambda: rows(pk=held.pk).update(
            status=Appointment.Status.CANCELLED, cancelled_at=timezone.now()
        )
    )
    # Once cancelled, its time is free for another booking of the same clinician.
    assert not refused(row(ten).save)

    booked = list(
        Appointment.objects.booked().filter(clinician=first).values_list("starts_at", flat=True)
    )
    assert sorted(booked) == [ten - timedelta(minutes=40), ten, ten + timedelta(minutes=40)]


@pytest.mark.usefixtures("no_rate_limits")
def test_reschedules_racing_for_two_clinicians_fill_both_and_never_deadlock(live_server, clinic):
    """Each move may try two clinicians. Locks are taken in one order for every request, so
    two moves never wait on each other (PostgreSQL would abort one with a deadlock, a 500)."""
    video = ConsultationType.objects.get(slug=VIDEO)
    pair = list(video.clinicians.filter(locations__name__startswith="Boston").order_by("pk"))
    assert len(pair) == 2
    video.clinicians.set(pair)
    racers = 20
    *theirs, target = free_starts(video, racers // 2 + 1)
    appointments = []
    for n, start in enumerate(theirs * 2):  # each time twice: once for each clinician
        appointment, _ = services.book(
            video, start, person(name=f"Mover {n}", email=f"m{n}@example.org"), via="web"
        )
        appointments.append(appointment)
    assert {a.clinician_id for a in appointments} == {c.pk for c in pair}

    results = all_move_at_once(live_server, appointments, target)

    statuses = sorted(status for status, _ in results)
    assert statuses == [200, 200] + [409] * (racers - 2), [body for _, body in results]
    at_target = Appointment.objects.booked().filter(starts_at=target)
    assert sorted(at_target.values_list("clinician_id", flat=True)) == [c.pk for c in pair]
    for clinician in pair:
        assert_no_overlaps(clinician)
