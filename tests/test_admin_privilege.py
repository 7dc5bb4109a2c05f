"""Least privilege in the Django admin: patient data there is never the administrator's, every
look at it is audited, and none of it is deleted there.

Patient data is found as ``test_audit_coverage`` finds it (following foreign keys from Patient);
every such model registered in the admin is checked, per role, through the admin's own pages.
A newly registered one fails here until it gets a maker below and passes.
"""

from collections.abc import Callable

import pytest
import time_machine
from django.contrib import admin

from perinatal.accounts.roles import Role
from perinatal.audit.models import Action, AuditEvent
from perinatal.backoffice.tests.helpers import NOW, Clinic, callback, epds
from tests.harness import make_staff, sign_in
from tests.test_audit_coverage import _patient_data_models


def _appointment(clinic: Clinic):
    return clinic.book(name="Ana Example", email="ana@example.org")


def _screening(clinic: Clinic):
    screen = epds(3, 3)
    screen.patient = _appointment(clinic).patient
    screen.save()
    return screen


def _callback(clinic: Clinic):
    return callback(urgent=True, screening=epds(3))


# How to make one row of each patient-data model the admin may show, in a test clinic.
MAKERS: dict[str, Callable[[Clinic], object]] = {
    "booking.appointment": _appointment,
    "screening.screening": _screening,
    "screening.callbackrequest": _callback,
}


def registered_patient_data() -> list[type]:
    found = _patient_data_models()
    return sorted(
        (model for model in admin.site._registry if model in found),
        key=lambda model: model._meta.label_lower,
    )


def urls(model, obj) -> dict[str, str]:
    base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
    return {
        "list": base,
        "search": f"{base}?q=555",
        "change": f"{base}{obj.pk}/change/",
        "history": f"{base}{obj.pk}/history/",
    }


@pytest.fixture
def rows(db):
    made = {}
    with time_machine.travel(NOW, tick=False):
        clinic = Clinic()
        for model in registered_patient_data():
            label = model._meta.label_lower
            assert label in MAKERS, f"{label} is in the admin: add a maker and check it here"
            made[model] = MAKERS[label](clinic)
    return made


def test_the_administrator_reaches_no_patient_data_in_the_admin(client, rows):
    sign_in(client, make_staff(Role.ADMIN, username="itadmin"))
    reached = [
        f"{page} {url}"
        for model, obj in rows.items()
        for page, url in urls(model, obj).items()
        if client.get(url, follow=True).status_code != 404
    ]
    assert reached == []


@pytest.mark.parametrize("role", [r for r in Role if r != Role.ADMIN])
def test_every_read_of_patient_data_in_the_admin_is_audited(client, rows, role):
    person = make_staff(role, username="reader")
    sign_in(client, person)
    for model, obj in rows.items():
        for page, url in urls(model, obj).items():
            before = AuditEvent.objects.count()
            status = client.get(url, follow=True).status_code
            if status == 404:
                continue  # not this role's
            assert status == 200, f"{page} {url}"
            event = AuditEvent.objects.filter(actor_id=person.pk).order_by("-id").first()
            assert AuditEvent.objects.count() == before + 1, f"{page} {url} wrote no audit row"
            assert event.model == model._meta.label_lower
            assert event.action == (Action.SEARCH if page == "search" else Action.VIEW)
            if page in {"change", "history"}:
                assert (event.object_id, event.patient_id) == (str(obj.pk), obj.patient_id)


@pytest.mark.parametrize("role", list(Role))
def test_no_one_deletes_patient_data_in_the_admin(client, rows, role):
    sign_in(client, make_staff(role, username="deleter"))
    for model, obj in rows.items():
        base = urls(model, obj)["list"]
        assert client.get(f"{base}{obj.pk}/delete/", follow=True).status_code in {403, 404}
        client.post(f"{base}{obj.pk}/delete/", {"post": "yes"})
        client.post(
            base, {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"}
        )
        assert model.objects.filter(pk=obj.pk).exists(), model._meta.label
