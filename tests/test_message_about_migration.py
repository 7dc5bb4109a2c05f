"""Messages queued before the outbox said what they were about (notify 0003) get it from their
old keys (0004): the appointment of a confirmation or a reminder, with the SEQUENCE a reminder
was queued for, the call-back of an on-call alert, the letter of an OB email, the patient of a
consent link."""

from datetime import date, timedelta

import pytest
import time_machine
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from perinatal.backoffice.tests.helpers import NOW, Clinic, callback
from perinatal.booking import services
from perinatal.booking.models import Appointment
from perinatal.consents.services import send_forms
from perinatal.notify.models import Message
from perinatal.obcare.models import CarePlanLetter
from perinatal.obcare.tests.helpers import an_ob
from tests.harness import make_patient, make_staff, restore_shipped_defaults

BEFORE = [("notify", "0003_message_about")]
AFTER = [("notify", "0005_remove_precondition")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def about(messages) -> dict:
    return {
        m.pk: (m.about_type.model if m.about_type_id else None, m.about_id, m.about_version)
        for m in messages
    }


@pytest.mark.django_db(transaction=True)
def test_old_keys_become_what_each_message_is_about():
    restore_shipped_defaults()  # the consent forms
    nurse = make_staff("nurse")
    with time_machine.travel(NOW, tick=False):
        day = Clinic()
        kept, moved = day.book(), day.book()
        moved = services.reschedule(moved, moved.starts_at + timedelta(days=1), actor="staff")
    alert = callback(urgent=True)
    patient = make_patient(name="Maria Lopez", email="maria@example.org")
    send_forms(patient=patient, kinds=["treatment"], by=nurse, channel="link")
    letter = CarePlanLetter.objects.create(
        patient=patient,
        obstetrician=an_ob(),
        created_by=nurse,
        respond_by=date(2026, 7, 1),
    )
    as_queued = about(Message.objects.select_related("about_type"))
    assert set(as_queued.values()) >= {
        ("appointment", kept.pk, None),  # her confirmation
        ("appointment", kept.pk, 0),  # her reminders
        ("appointment", moved.pk, 0),  # the reminders withdrawn when it moved …
        ("appointment", moved.pk, 1),  # … and the new ones
        ("callbackrequest", alert.pk, None),
        ("patient", patient.pk, None),
    }

    # Back to before 0003: the old columns hold the keys, the new ones are emptied as then.
    old = migrate(BEFORE).get_model("notify", "Message")
    assert set(old.objects.exclude(precondition="").values_list("precondition", flat=True)) == {
        f"appointment:{kept.pk}:0",
        f"appointment:{moved.pk}:0",
        f"appointment:{moved.pk}:1",
    }
    old.objects.update(about_type=None, about_id=None, about_version=None)
    fields = {"template": "x", "to": "x@example.org", "subject": "x", "body_text": "x"}
    ob = old.objects.create(**fields, dedupe_key=f"ob-letter-no-answer:{letter.pk}").pk
    lost = old.objects.create(**fields, dedupe_key="ob-letter:999999:abc").pk
    unknown = old.objects.create(**fields, dedupe_key="something-else:1").pk

    migrate(AFTER)

    now = about(Message.objects.select_related("about_type"))
    assert {pk: now[pk] for pk in as_queued} == as_queued
    assert now[ob] == ("careplanletter", letter.pk, None)
    assert now[lost] == now[unknown] == (None, None, None)
    assert Appointment.objects.get(pk=moved.pk).sequence == 1
