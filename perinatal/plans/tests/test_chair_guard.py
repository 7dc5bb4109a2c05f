"""Underneath the services: the database refuses two booked appointments on one chair at once,
and the start-up check notices when that rule is gone."""

import importlib
from datetime import UTC, datetime, timedelta

import pytest
from django.core import checks
from django.db import connection
from django.db.models import F

from perinatal.booking.checks import overlap_guard_present
from perinatal.booking.models import Appointment
from perinatal.booking.tests.test_races import appointment_row, refused
from perinatal.plans.tests.helpers import boston, chairs, clinicians, infusion_type

MIGRATION = importlib.import_module("perinatal.booking.migrations.0004_infusion_chairs")
TEN = datetime(2031, 6, 3, 14, tzinfo=UTC)


def on_chair(clinician, chair, start, **kwargs) -> Appointment:
    row = appointment_row(clinician, infusion_type(), start, minutes=180, buffer=30, **kwargs)
    row.chair = chair
    return row


@pytest.mark.django_db
def test_the_database_refuses_a_second_booking_of_a_chair_however_written(infusion_clinic):
    chair, other_chair = chairs(boston())
    first, second = clinicians(boston())
    held = on_chair(first, chair, TEN)  # holds the chair [10:00, 13:30)
    held.save()

    # Another clinician, the same chair: refused at the same start, inside, and around.
    assert refused(on_chair(second, chair, TEN).save)
    assert refused(on_chair(second, chair, TEN + timedelta(hours=3)).save)  # in its buffer
    assert refused(on_chair(second, chair, TEN - timedelta(hours=1)).save)
    # Touching is fine; so are another chair, no chair, and a cancelled booking.
    after = on_chair(second, chair, TEN + timedelta(minutes=210))
    assert not refused(after.save)
    assert not refused(on_chair(second, other_chair, TEN - timedelta(hours=4)).save)
    assert not refused(on_chair(second, None, TEN - timedelta(hours=8)).save)
    cancelled = on_chair(second, chair, TEN - timedelta(hours=2), status="cancelled")
    assert not refused(cancelled.save)

    # QuerySet.update() bypasses save(): moving onto the chair's held time is refused …
    rows = Appointment.objects.filter
    assert refused(lambda: rows(pk=after.pk).update(starts_at=F("starts_at") - timedelta(hours=1)))
    assert refused(lambda: rows(pk=cancelled.pk).update(status="booked", cancelled_at=None))
    # … and so is moving another booking onto the chair.
    moved = Appointment.objects.filter(chair=other_chair).get()
    assert refused(
        lambda: rows(pk=moved.pk).update(
            chair=chair,
            starts_at=TEN,
            ends_at=TEN + timedelta(hours=3),
            blocked_until=TEN + timedelta(hours=3, minutes=30),
        )
    )
    # A booking may move over its own time.
    assert not refused(lambda: rows(pk=held.pk).update(starts_at=TEN + timedelta(minutes=5)))

    on_the_chair = Appointment.objects.booked().filter(chair=chair).order_by("starts_at")
    assert list(on_the_chair.values_list("pk", flat=True)) == [held.pk, after.pk]


@pytest.mark.django_db(transaction=True)
def test_the_start_up_check_reports_a_missing_chair_guard():
    assert overlap_guard_present(databases=["default"]) == []
    if connection.vendor == "sqlite":
        drop, restore = (
            ["DROP TRIGGER appointment_chair_no_overlap_insert"],
            MIGRATION.SQLITE_UP[:1],
        )
    else:
        drop, restore = MIGRATION.POSTGRES_DOWN, MIGRATION.POSTGRES_UP
    with connection.cursor() as cursor:
        for sql in drop:
            cursor.execute(sql)
    try:
        problems = overlap_guard_present(databases=["default"])
        assert [p.id for p in problems] == ["perinatal.booking.E001"]
        assert problems[0].level == checks.ERROR
        assert "a chair's time" in problems[0].msg
        assert "clinician" not in problems[0].msg
        assert "0004_infusion_chairs.py" in problems[0].hint
    finally:
        with connection.cursor() as cursor:
            for sql in restore:
                cursor.execute(sql)
    assert overlap_guard_present(databases=["default"]) == []


@pytest.mark.django_db(transaction=True)
def test_a_database_from_before_chairs_can_still_migrate_and_unmigrating_keeps_the_old_guard():
    """``migrate`` runs the check first, so it must not ask a database still at booking 0003
    for the chairs' guard; and on SQLite unapplying 0004 rebuilds the table, which must not
    cost the clinicians' guard."""
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    executor.migrate([("booking", "0003_patient_and_confirmation")])
    try:
        assert overlap_guard_present(databases=["default"]) == []
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(leaves)
    assert overlap_guard_present(databases=["default"]) == []
