"""Every back-office address against every role, from one matrix (perinatal/accounts/roles.py).

The URL patterns are read from Django's resolver, not listed here, so a new staff page is in
this test the day it is added; it fails until the page is gated with ``staff_view`` and its
record is named in ``RECORD``. For each page and each role: a role whose capabilities include
the page's gets its answer (never 404, never a server error); any other signed-in person gets
404, whether the record exists or not. Nobody gets in without both factors. A page that shows
a patient's record writes an audit event naming her.
"""

import uuid
from datetime import timedelta

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from perinatal.accounts.roles import MATRIX, Can, Role
from perinatal.audit.models import Action, AuditEvent
from perinatal.consents import services as consents
from perinatal.consents.models import ConsentRequest
from perinatal.consult.services import new_note
from perinatal.infusion.tests.helpers import book as book_infusion
from perinatal.obcare.models import Obstetrician
from perinatal.obcare.services import draft_letter
from perinatal.obcare.tests.helpers import set_ob
from perinatal.patients.models import MergeSuggestion, Patient
from perinatal.plans.tests.helpers import signed_plan
from perinatal.screening.models import CallbackRequest
from tests.harness import make_patient, make_staff, sign_in

pytestmark = pytest.mark.django_db

# Staff pages anyone may reach: the way in and out.
SIGN_IN_PAGES = {
    "accounts:sign_in",
    "accounts:second_factor",
    "accounts:enrol",
    "accounts:sign_out",
}
# Which record each page's id names (a key of the ``world`` fixture); pages with no id need none.
RECORD = {
    "backoffice:patient_history": "patient",
    "backoffice:callback": "callback",
    "backoffice:chart": "patient",
    "backoffice:edit": "patient",
    "backoffice:merge": "merge",
    "schedule:appointment": "appointment",
    "schedule:confirm": "appointment",
    "schedule:move": "appointment",
    "schedule:cancel": "appointment",
    "schedule:close_urgent": "appointment",
    "consult:new": "patient",
    "consult:note": "note",
    "consult:sign": "note",
    "consult:addendum": "note",
    "consents:patient": "patient",
    "consents:send": "patient",
    "consents:tablet_done": "patient",
    "consents:printable": "signed_consent",
    "consents:stop_asking": "consent_request",
    "consents:withdraw": "signed_consent",
    "obcare:ob_edit": "obstetrician",
    "obcare:link_ob": "patient",
    "obcare:link_new_ob": "patient",
    "obcare:edit_ob": "patient",
    "obcare:letter_new": "patient",
    "obcare:letter": "letter",
    "obcare:letter_edit": "letter",
    "obcare:letter_send": "letter",
    "obcare:letter_review": "letter",
    "obcare:letter_print": "letter",
    "obcare:letter_pdf": "letter",
    "plans:new": "patient",
    "plans:plan": "plan",
    "pathway:sign_plan": "plan",
    "pathway:book_infusion": "plan",
    "pathway:reconfirm_infusion": "appointment",
    "followup_staff:handled": "patient",
    **{
        f"infusion:{name}": "infusion"
        for name in (
            "session",
            "record",
            "instructions",
            "questionnaire",
            "check_in",
            "prepare",
            "verify",
            "open_vial",
            "close_vial",
            "go_ahead",
            "start",
            "change",
            "observe",
            "act",
            "adverse",
            "resolve",
            "discharge",
            "next_day_handled",
            "addendum",
            "ob_summary",
        )
    },
}
# Records that are not a patient's: opening them needs no audit event naming one.
NOT_PATIENT_DATA = {"obstetrician"}
MISSING = "missing"
MISSING_UUID = uuid.UUID(int=987654)


def _staff_routes():
    """(name, route, capability) for every URL pattern under /staff/."""

    def walk(patterns, prefix="", namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace or namespace
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
            elif isinstance(pattern, URLPattern):
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                yield name, prefix + str(pattern.pattern), pattern.callback

    for name, route, view in walk(get_resolver().url_patterns):
        if route.startswith("staff/"):
            yield name, route, getattr(view, "staff_capability", None)


ROUTES = sorted(_staff_routes())
GATED = [(name, route, capability) for name, route, capability in ROUTES if capability]


def _path(route: str, record) -> str:
    """The route with the record's public id in it."""
    if record is None:
        return "/" + route
    if record == MISSING:
        return "/" + route.replace("<uuid:public_id>", str(MISSING_UUID))
    return "/" + route.replace("<uuid:public_id>", str(record.public_id))


@pytest.fixture
def world(clinic, staff):
    """One record of every kind a staff page names, all about one patient."""
    from perinatal.ops.demo.plans import load_demo

    load_demo()
    clinician = staff("clinician", username="world-clinician")
    ob = Obstetrician.objects.create(name="Dr Lee", practice="Back Bay OB", email="lee@ob.example")
    patient = make_patient(delivery_date=timezone.localdate() - timedelta(weeks=6))
    set_ob(patient, ob)
    other = make_patient(name="Ana Other")
    note = new_note(patient=patient, clinician=clinician)
    note.save()
    token, requests = consents.send_forms(
        patient=patient, kinds=["treatment", "ob_sharing"], by=clinician, channel="link"
    )
    signed = consents.sign(
        bundle=consents.bundle_for(token),
        request_ids=[requests[0].pk],
        signer_name=patient.name,
        ip=None,
        user_agent="test",
    )[0]
    plan = signed_plan(patient, clinician)
    appointment = _appointment_for(patient)
    infusion = book_infusion(plan, clinician)
    return {
        "patient": patient,
        "callback": CallbackRequest.objects.create(
            first_name="Ana", phone="+16175550123", language="en", urgent=True
        ),
        "merge": MergeSuggestion.objects.create(patient=other, candidate=patient, reason="phone"),
        "appointment": appointment,
        "infusion": infusion,
        "note": note,
        "signed_consent": signed.request,  # a signature is named by the request it answers
        "consent_request": ConsentRequest.objects.get(pk=requests[1].pk),
        "obstetrician": ob,
        "letter": draft_letter(patient=patient, author=clinician),
        "plan": plan,
    }


def _appointment_for(patient):
    """Her booked consultation, made the way the public page makes one."""
    from django.utils import timezone

    from perinatal.booking.models import ConsultationType
    from perinatal.booking.services import Person, book
    from perinatal.booking.slots import find_slots

    video = ConsultationType.objects.get(slug="free-video-consultation")
    now = timezone.now()
    slot = find_slots(video, start=now, end=now + timedelta(days=21))[0]
    appointment, _ = book(
        video,
        slot.start,
        Person(
            name=patient.name,
            email=patient.email,
            phone=patient.phone,
            language="en",
            stage="postpartum",
            key_date=patient.created_at.date(),
        ),
        via="web",
    )
    return appointment


def _read_was_audited(record, *, after: int) -> bool:
    """A view or export event since ``after`` naming whose record this is: the patient when it
    is one of hers, else the record itself (a call-back not yet linked to anyone)."""
    events = AuditEvent.objects.filter(pk__gt=after, action__in=[Action.VIEW, Action.EXPORT])
    if isinstance(record, Patient):
        return events.filter(patient_id=record.pk).exists()
    if getattr(record, "patient_id", None):
        return events.filter(patient_id=record.patient_id).exists()
    return events.filter(model=record._meta.label_lower, object_id=str(record.pk)).exists()


def test_every_staff_page_is_gated_by_a_capability_from_the_matrix():
    ungated = [name for name, _, capability in ROUTES if not capability]
    assert sorted(ungated) == sorted(SIGN_IN_PAGES)
    assert {capability for _, _, capability in GATED} <= set(Can.values)
    unnamed = [name for name, route, _ in GATED if "<" in route and name not in RECORD]
    assert unnamed == [], "name the record these pages open in RECORD"


@pytest.mark.parametrize("role", Role.values)
def test_each_role_reaches_exactly_the_pages_its_capabilities_allow(client, world, role):
    user = make_staff(role, username=f"matrix-{role}")
    sign_in(client, user)
    allowed = MATRIX[role]
    wrong = []
    for name, route, capability in GATED:
        record = world[RECORD[name]] if name in RECORD else None
        last_event = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
        response = client.get(_path(route, record))
        status = response.status_code
        if capability in allowed:
            if status == 404 or status >= 500:
                wrong.append((name, status, "should be allowed"))
            elif (
                status == 200
                and record is not None
                and RECORD[name] not in NOT_PATIENT_DATA
                and not _read_was_audited(record, after=last_event or 0)
            ):
                wrong.append((name, status, "read without an audit event naming the record"))
        elif status != 404:
            wrong.append((name, status, "should be 404"))
    assert wrong == []


def _answer_for(client, path: str) -> int:
    """The status for a GET, or for a POST where the page takes only POST."""
    status = client.get(path).status_code
    return client.post(path).status_code if status == 405 else status


@pytest.mark.parametrize("role", Role.values)
def test_a_record_that_does_not_exist_is_404_for_everyone(client, clinic, role):
    sign_in(client, make_staff(role, username=f"missing-{role}"))
    answers = {
        name: _answer_for(client, _path(route, MISSING)) for name, route, _ in GATED if "<" in route
    }
    assert {name: status for name, status in answers.items() if status != 404} == {}


def test_nobody_reaches_a_staff_page_without_both_factors(client, world):
    password_only = make_staff("director", username="password-only")
    for name, route, _ in GATED:
        record = world[RECORD[name]] if name in RECORD else None
        path = _path(route, record)
        client.logout()
        response = client.get(path)
        assert response.status_code == 302 and "/staff/sign-in/" in response["Location"], name
        client.force_login(password_only)  # a password alone: no second factor in the session
        response = client.get(path)
        assert response.status_code == 302, name
        assert response["Location"].startswith("/staff/sign-in/code/"), name


STAFF_API = [
    ("/api/v1/staff/patients?q=Ana", Can.FIND_PATIENTS),
    ("/api/v1/staff/patients/{patient}", Can.SEE_CONTACTS),
    ("/api/v1/staff/queue", Can.SEE_QUEUE),
]


def test_the_staff_api_list_matches_the_schema(client, clinic):
    schema = client.get("/api/v1/openapi.json").json()
    listed = {path for path in schema["paths"] if path.startswith("/api/v1/staff/")}
    assert listed == {
        path.split("?")[0].replace("{patient}", "{public_id}") for path, _ in STAFF_API
    }


@pytest.mark.parametrize("role", Role.values)
def test_each_role_reaches_exactly_the_staff_api_its_capabilities_allow(client, world, role):
    sign_in(client, make_staff(role, username=f"api-{role}"))
    for path, capability in STAFF_API:
        status = client.get(path.format(patient=world["patient"].public_id)).status_code
        assert status == (200 if capability in MATRIX[role] else 404), (path, status)
        missing = client.get(path.format(patient=MISSING_UUID)).status_code
        assert missing == 404 or "{patient}" not in path, (path, missing)


def test_the_staff_api_needs_both_factors(client, world):
    for path, _ in STAFF_API:
        assert client.get(path.format(patient=world["patient"].public_id)).status_code == 401
    client.force_login(make_staff("director", username="api-password-only"))
    for path, _ in STAFF_API:
        assert client.get(path.format(patient=world["patient"].public_id)).status_code == 401
