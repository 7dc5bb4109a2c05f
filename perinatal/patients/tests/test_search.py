"""Finding a patient by name, email, phone or date of birth; merged records stay out; the audit
keeps a count of results, never what was typed."""

from datetime import date

import pytest

from perinatal.audit.models import Action, AuditEvent
from perinatal.patients.models import Patient
from perinatal.patients.tests.helpers import count_queries
from perinatal.testing import sign_in_as


@pytest.fixture
def patients(db):
    ana = Patient.objects.create(
        name="Ana María López",
        email="ana.lopez@example.org",
        phone="+16175550123",
        date_of_birth=date(1994, 8, 2),
        stage="postpartum",
    )
    bea = Patient.objects.create(
        name="Beatriz Lopez", email="bea@example.org", phone="+16175550144", stage="pregnant"
    )
    merged = Patient.objects.create(
        name="Ana Lopez", email="ana.lopez@example.org", stage="postpartum", merged_into=ana
    )
    return ana, bea, merged


def found(client, q: str) -> list[str]:
    response = client.get("/staff/patients/", {"q": q})
    assert response.status_code == 200
    return [p.name for p in response.context["page"].object_list]


@pytest.mark.parametrize(
    ("q", "names"),
    [
        ("lopez", ["Beatriz Lopez"]),  # "López" with an accent is another word to SQLite
        ("ANA maría", ["Ana María López"]),  # SQLite folds the case of ASCII letters only
        ("maría ana", ["Ana María López"]),
        ("ana.lopez@EXAMPLE.org", ["Ana María López"]),
        ("(617) 555-0144", ["Beatriz Lopez"]),
        ("617.555.0123", ["Ana María López"]),
        ("1994-08-02", ["Ana María López"]),
        ("08/02/1994", ["Ana María López"]),
        ("nobody", []),
    ],
)
def test_search_finds_current_records_only(client, staff, patients, q, names):
    sign_in_as(client, "front_desk")

    assert found(client, q) == names


def test_a_search_is_audited_with_the_count_and_never_the_words(client, staff, patients):
    user = sign_in_as(client, "front_desk")

    found(client, "ana.lopez@example.org")

    event = AuditEvent.objects.get(action=Action.SEARCH)
    assert event.actor_id == user.pk
    assert event.detail == {"results": 1}
    assert "ana" not in str(event.detail).lower() and "ana" not in event.path


def test_results_come_in_pages(client, staff, db):
    Patient.objects.bulk_create(
        Patient(name=f"Mother {n:02}", stage="postpartum") for n in range(30)
    )
    sign_in_as(client, "nurse")

    first = client.get("/staff/patients/", {"q": "mother"}).context["page"]
    second = client.get("/staff/patients/", {"q": "mother", "page": 2}).context["page"]

    assert (first.paginator.count, len(first.object_list), len(second.object_list)) == (30, 25, 5)
    assert second.object_list[0].name == "Mother 25"


def test_search_runs_the_same_queries_for_one_result_or_thirty(client, staff, db):
    Patient.objects.create(name="Mother 00", stage="postpartum")
    sign_in_as(client, "clinician")
    client.get("/staff/patients/?q=mother")
    one = count_queries(client, "/staff/patients/?q=mother")

    Patient.objects.bulk_create(
        Patient(name=f"Mother {n:02}", stage="postpartum") for n in range(1, 30)
    )

    assert count_queries(client, "/staff/patients/?q=mother") == one


def test_roles_without_search_get_404(client, staff, patients):
    sign_in_as(client, "admin")

    assert client.get("/staff/patients/", {"q": "ana"}).status_code == 404
