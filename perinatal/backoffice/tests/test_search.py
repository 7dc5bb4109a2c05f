"""Finding a patient by name, email, phone or date of birth; merged records stay out; the audit
keeps a count of results, never what was typed."""

from datetime import date

import pytest

from perinatal.audit.models import Action, AuditEvent
from perinatal.backoffice.tests.helpers import count_queries
from perinatal.patients.models import Patient
from tests.harness import sign_in_as


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


# --- What was searched for stays out of the logs ------------------------------------------------

MARKER_PHONE = "617-555-0111"
MARKER_NAME = "Beatrix Canarytwo"
# gunicorn's default access-log line plus every other atom that can carry the query string.
ACCESS_LINE = (
    '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" '
    "%(U)s %(q)s %({raw_uri}e)s %({query_string}e)s %({referer}i)s"
)


def access_log_line(request, referer: str = "") -> str:
    """The line gunicorn writes with ``--logger-class perinatal.lib.redact.AccessLogger`` for a
    request the test client made (and, if given, the Referer the browser sent with it)."""
    from datetime import timedelta
    from types import SimpleNamespace

    from gunicorn.config import Config
    from gunicorn.glogging import SafeAtoms

    from perinatal.lib.redact import AccessLogger

    meta = request.META
    uri = meta["PATH_INFO"] + (f"?{meta['QUERY_STRING']}" if meta.get("QUERY_STRING") else "")
    headers = [("HOST", "clinic.example.org"), ("USER-AGENT", "browser")]
    if referer:
        headers.append(("REFERER", referer))
    gunicorn_request = SimpleNamespace(
        method=request.method,
        path=meta["PATH_INFO"],
        query=meta.get("QUERY_STRING", ""),
        uri=uri,
        version=(1, 1),
        headers=headers,
    )
    environ = {
        "REQUEST_METHOD": request.method,
        "RAW_URI": uri,
        "PATH_INFO": meta["PATH_INFO"],
        "QUERY_STRING": meta.get("QUERY_STRING", ""),
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "10.0.0.7",
        "HTTP_REFERER": referer,
    }
    response = SimpleNamespace(status="200 OK", headers=[], sent=10, response_length=10)
    atoms = AccessLogger(Config()).atoms(
        response, gunicorn_request, environ, timedelta(seconds=0.01)
    )
    return ACCESS_LINE % SafeAtoms(atoms)


@pytest.mark.parametrize("marker", [MARKER_PHONE, MARKER_NAME])
def test_what_was_searched_for_stays_out_of_the_access_log_and_the_next_referer(
    client, staff, patients, marker
):
    sign_in_as(client, "clinician")
    search = client.get("/staff/patients/", {"q": marker, "page": "1"})
    searched_url = "https://clinic.example.org" + search.wsgi_request.get_full_path()
    following = client.get("/staff/", HTTP_REFERER=searched_url)

    assert search.status_code == 200 and following.status_code == 200
    assert search["Referrer-Policy"] == "same-origin"
    lines = access_log_line(search.wsgi_request) + "\n"
    lines += access_log_line(following.wsgi_request, referer=searched_url)
    for shown in (marker, marker.replace(" ", "+"), marker.replace(" ", "%20"), "Canarytwo"):
        assert shown not in lines
    assert "/staff/patients/?q=" in lines  # the log still says which page was asked for


def test_what_was_searched_for_in_the_staff_api_stays_out_of_the_access_log(
    client, staff, patients
):
    sign_in_as(client, "clinician")
    response = client.get("/api/v1/staff/patients", {"q": MARKER_NAME})

    assert response.status_code == 200
    line = access_log_line(response.wsgi_request)
    assert "Canarytwo" not in line and "/api/v1/staff/patients?q=" in line


def test_public_query_strings_are_logged_as_they_were(client, clinic):
    response = client.get("/book/", {"tz": "America/New_York"})

    assert "tz=America%2FNew_York" in access_log_line(response.wsgi_request)
