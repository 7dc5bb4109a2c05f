"""A signed consent is kept word for word: the model refuses changes, and so does the database
(SQLite and PostgreSQL triggers), whatever code tries."""

import pytest
from django.db import DatabaseError, connection, transaction

from perinatal.consents.models import ConsentRequest, ConsentWithdrawal, Locked, SignedConsent
from perinatal.consents.services import bundle_for, send_forms, sign, withdraw
from perinatal.consents.tests.helpers import a_patient
from perinatal.patients.services import merge_patients
from tests.harness import make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed(clinic):
    patient = a_patient()
    staff_member = make_staff("front_desk")
    token, _ = send_forms(patient=patient, kinds=["treatment"], by=staff_member, channel="link")
    bundle = bundle_for(token)
    [signature] = sign(
        bundle=bundle,
        request_ids=[r.pk for r in bundle.requests],
        signer_name="Maria Lopez",
        ip="203.0.113.9",
        user_agent="test",
    )
    return signature


def _without_the_purge_permit():
    """The test suite holds a permit so it can empty tables; this test's transaction drops it."""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_purge_permit")


def test_the_model_refuses_to_change_or_delete_a_signature(signed):
    signed.signer_name = "Someone Else"
    with pytest.raises(Locked):
        signed.save()
    with pytest.raises(Locked):
        signed.delete()
    assert SignedConsent.objects.get().signer_name == "Maria Lopez"


def test_the_database_refuses_to_update_or_delete_a_signature(signed):
    _without_the_purge_permit()
    for change in (
        lambda: SignedConsent.objects.filter(pk=signed.pk).update(signer_name="Someone Else"),
        lambda: SignedConsent.objects.filter(pk=signed.pk).update(body="A different text"),
        lambda: SignedConsent.objects.filter(pk=signed.pk)._raw_delete(connection.alias),
    ):
        with pytest.raises(DatabaseError), transaction.atomic():
            change()
    stored = SignedConsent.objects.get()
    assert (stored.signer_name, stored.body) == ("Maria Lopez", signed.body)


def test_the_database_refuses_to_rewrite_or_remove_a_withdrawal(signed):
    withdrawal = withdraw(signed=signed, how="phone", by=make_staff("nurse"))
    _without_the_purge_permit()
    with pytest.raises(DatabaseError), transaction.atomic():
        ConsentWithdrawal.objects.filter(pk=withdrawal.pk).update(how="writing")
    with pytest.raises(DatabaseError), transaction.atomic():
        ConsentWithdrawal.objects.filter(pk=withdrawal.pk)._raw_delete(connection.alias)
    assert ConsentWithdrawal.objects.get().how == "phone"


def test_the_permit_lets_the_suite_empty_the_table(signed):
    # The suite's permit is in place here: a flush between tests can delete the rows.
    with transaction.atomic():
        SignedConsent.objects.filter(pk=signed.pk)._raw_delete(connection.alias)
        assert not SignedConsent.objects.exists()
        transaction.set_rollback(True)


def test_a_merge_moves_a_signature_to_the_kept_record_unchanged(signed):
    """The one change the triggers allow: whose record it is, when two records are merged."""
    _without_the_purge_permit()
    withdraw(signed=signed, how="in_person", by=make_staff("nurse"))
    kept = a_patient("Maria Lopez", email="maria.lopez@example.org")
    merge_patients(drop=signed.patient, keep=kept, user=make_staff("director"))
    moved = SignedConsent.objects.get()
    assert moved.patient == kept and moved.body == signed.body
    assert ConsentWithdrawal.objects.get().patient == kept
    assert ConsentRequest.objects.get().patient == kept


def test_the_sqlite_trigger_names_every_column_but_the_patient():
    """A column added to the model must be added to migration 0003's list, or it could change."""
    from importlib import import_module

    migration = import_module("perinatal.consents.migrations.0003_signed_unchangeable")
    for model in (SignedConsent, ConsentWithdrawal):
        columns = {f.column for f in model._meta.concrete_fields} - {"patient_id"}
        assert set(migration.TABLES[model._meta.db_table]) == columns
