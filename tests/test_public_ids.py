"""Staff pages and the staff API name records by public ids, never by the tables' sequence
numbers: a sequential id in an address tells whoever sees it how many patients, notes or letters
the clinic has, and invites trying the next one."""

import re
import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.harness import make_patient, make_staff, sign_in

pytestmark = pytest.mark.django_db

STAFF_PREFIXES = ("staff/", "api/v1/staff/")


def _routes(patterns, prefix=""):
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield route


def test_no_staff_route_takes_an_integer():
    routes = [r for r in _routes(get_resolver().url_patterns) if r.startswith(STAFF_PREFIXES)]
    assert len(routes) > 40  # the walk reached the staff pages
    assert [r for r in routes if "<int:" in r or "<pk>" in r or "(?P<pk>" in r] == []


def test_no_staff_api_path_takes_an_integer(client):
    schema = client.get("/api/v1/openapi.json").json()
    staff = {p: ops for p, ops in schema["paths"].items() if p.startswith("/api/v1/staff/")}
    assert staff
    for path, operations in staff.items():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path":
                    assert parameter["schema"].get("format") == "uuid", (path, parameter)


def test_every_record_a_staff_page_names_has_its_own_public_id(clinic):
    """Each model a staff route names carries a unique, random public id."""
    from django.apps import apps

    named = {
        "consents.ConsentRequest",
        "consult.ConsultationNote",
        "obcare.Obstetrician",
        "obcare.CarePlanLetter",
        "patients.MergeSuggestion",
        "plans.TreatmentPlan",
        "booking.Appointment",
        "screening.CallbackRequest",
        "patients.Patient",
    }
    for label in named:
        field = apps.get_model(label)._meta.get_field("public_id")
        assert field.unique and field.default is uuid.uuid4, label


def test_an_old_integer_address_finds_nothing(client, clinic):
    sign_in(client, make_staff("director", username="old-links"))
    for path in ("/staff/plans/1/", "/staff/consultations/1/", "/staff/appointments/1/"):
        assert client.get(path).status_code == 404, path


def test_a_mangled_appointment_in_the_new_note_link_starts_a_note_for_no_appointment(
    client, clinic
):
    patient = make_patient()
    sign_in(client, make_staff("clinician", username="mangled-link"))
    page = client.get(reverse("consult:new", args=[patient.public_id]) + "?appointment=12")
    assert page.status_code == 200
    assert re.search(r"consultation", page.content.decode(), re.I)


@pytest.mark.django_db(transaction=True)
def test_rows_written_before_public_ids_each_get_their_own():
    """The migrations give every existing row a different public id, then make it unique."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before = [("obcare", "0003_obstetrician_table"), ("patients", "0003_weight_and_fact_sources")]
    after = [
        ("obcare", "0004_obs_and_letters_by_public_id"),
        ("patients", "0004_merges_by_public_id"),
    ]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    for name in ("Dr Lee", "Dr Park", "Dr Shah"):
        old.get_model("obcare", "Obstetrician").objects.create(name=name)
    patient = old.get_model("patients", "Patient")
    a, b = (patient.objects.create(name=n, public_id=uuid.uuid4()) for n in ("Ana", "Anna"))
    old.get_model("patients", "MergeSuggestion").objects.create(
        patient=a, candidate=b, reason="phone"
    )

    executor = MigrationExecutor(connection)
    executor.migrate(after)
    new = executor.loader.project_state(after).apps
    obs = list(new.get_model("obcare", "Obstetrician").objects.values_list("public_id", flat=True))
    assert len(obs) == 3 and len(set(obs)) == 3 and None not in obs
    assert new.get_model("patients", "MergeSuggestion").objects.get().public_id is not None
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
