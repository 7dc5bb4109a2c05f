"""A booking with consent creates or finds her record; a near match goes to staff, never merged
silently."""

from perinatal.backoffice.tests.helpers import screened
from perinatal.patients.models import MergeSuggestion, Patient


def test_a_booking_starts_her_record_from_what_she_gave(clinic_day):
    appointment = clinic_day.book(ob_name="Dr Okafor", ob_practice="Mile High OB")

    patient = appointment.patient
    assert patient is not None
    assert (patient.name, patient.email, patient.phone) == (
        "Ana Example",
        "ana@example.org",
        "+16175550123",
    )
    assert patient.stage == Patient.Stage.POSTPARTUM
    assert patient.delivery_date == appointment.key_date
    assert patient.contact_consent_at == appointment.contact_consent_at


def test_her_second_booking_finds_the_same_record(clinic_day):
    first = clinic_day.book()
    second = clinic_day.book(name="  ana example ", email="ana@example.org")

    assert second.patient_id == first.patient_id
    assert Patient.objects.count() == 1
    assert not MergeSuggestion.objects.exists()


def test_the_same_email_with_another_name_starts_a_record_and_asks_staff(clinic_day):
    ana = clinic_day.book().patient
    sister = clinic_day.book(name="Lucia Example", phone="+16175550188").patient

    assert sister.pk != ana.pk
    assert ana.merged_into_id is None and sister.merged_into_id is None
    suggestion = MergeSuggestion.objects.get()
    assert (suggestion.patient, suggestion.candidate) == (sister, ana)
    assert suggestion.reason == "email"
    assert suggestion.status == MergeSuggestion.Status.OPEN


def test_a_shared_phone_is_put_to_staff_too(clinic_day):
    ana = clinic_day.book().patient
    friend = clinic_day.book(name="Maya Friend", email="maya@example.org").patient

    suggestion = MergeSuggestion.objects.get()
    assert (suggestion.patient, suggestion.candidate, suggestion.reason) == (friend, ana, "phone")


def test_a_screen_she_shares_with_the_booking_joins_her_record(clinic_day):
    screen = screened(self_harm=True)
    appointment = clinic_day.book(screening=screen)

    screen.refresh_from_db()
    assert screen.patient_id == appointment.patient_id
    assert appointment.urgent
