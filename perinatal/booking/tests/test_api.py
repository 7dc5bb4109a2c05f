"""The booking API: slots, booking, and managing a booking by its token."""

import json
from datetime import datetime, timedelta

import pytest

from perinatal.booking.models import Appointment
from perinatal.booking.tests.helpers import AT_TEN, DENVER
from perinatal.notify.models import Message


@pytest.fixture
def video(setup, frozen):
    denver = setup.location("America/Denver", "Denver")
    clinician = setup.clinician("Dr Solo", denver, hours=[(d, 9, 12) for d in range(5)])
    return setup.consultation(clinician, mode="video", minutes=30, slug="video-chat")


@pytest.fixture
def in_person(setup, frozen):
    denver = setup.location("America/Denver", "Denver")
    clinician = setup.clinician("Dr Room", denver, hours=[(2, 9, 12)])
    return setup.consultation(clinician, mode="in_person", minutes=45, slug="in-person"), denver


def booking(**overrides):
    body = {
        "type": "video-chat",
        "start": AT_TEN.isoformat(),
        "name": "Ana Example",
        "email": "ana@example.org",
        "phone": "(617) 555-0123",
        "language": "en",
        "stage": "pregnant",
        "key_date": "2026-09-01",
        "consent_to_contact": True,
        "time_zone": "America/New_York",
    }
    return {**body, **overrides}


def post(client, path, body, **headers):
    return client.post(
        path, data=json.dumps(body), content_type="application/json", headers=headers
    )


def test_slots_in_a_range_are_utc_with_the_locations_zone(client, video):
    start = datetime(2026, 6, 3, 0, tzinfo=DENVER)
    response = client.get(
        "/api/v1/slots",
        {
            "type": "video-chat",
            "start": start.isoformat(),
            "end": (start + timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code == 200
    slots = response.json()
    assert [s["start"] for s in slots] == [
        f"2026-06-03T{h}Z"
        for h in ("15:00:00", "15:30:00", "16:00:00", "16:30:00", "17:00:00", "17:30:00")
    ]
    assert {s["time_zone"] for s in slots} == {"America/Denver"}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"start": "2026-06-03T00:00:00", "end": "2026-06-04T00:00:00Z"}, "start"),  # no offset
        ({"start": "2026-06-04T00:00:00Z", "end": "2026-06-03T00:00:00Z"}, "end"),
        ({"start": "2026-06-01T00:00:00Z", "end": "2026-07-15T00:00:00Z"}, "end"),  # > 31 days
    ],
)
def test_bad_ranges_get_a_clear_422(client, video, query, field):
    response = client.get("/api/v1/slots", {"type": "video-chat", **query})
    assert response.status_code == 422
    error = response.json()["error"]
    assert field in [d["field"] for d in error["details"]]


def test_unknown_type_is_404_and_in_person_needs_a_location(client, in_person):
    day = {"start": "2026-06-03T00:00:00Z", "end": "2026-06-04T00:00:00Z"}
    assert (
        client.get("/api/v1/slots", {"type": "nope", **day}).json()["error"]["code"]
        == "unknown_type"
    )
    response = client.get("/api/v1/slots", {"type": "in-person", **day})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "location_required"
    _, denver = in_person
    ok = client.get(
        "/api/v1/slots", {"type": "in-person", "location": str(denver.public_id), **day}
    )
    assert ok.status_code == 200 and len(ok.json()) > 0


def test_book_then_view_reschedule_and_cancel_by_token(client, video):
    response = post(client, "/api/v1/bookings", booking())
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["start"] == "2026-06-03T16:00:00Z"
    assert body["status"] == "booked" and body["sequence"] == 0
    assert body["manage_url"].endswith(f"/appointment/{body['manage_token']}/")
    stored = Appointment.objects.get(public_id=body["id"])
    assert (stored.phone, stored.own_time_zone, stored.via) == (
        "+16175550123",
        "America/New_York",
        "api",
    )

    token = body["manage_token"]
    assert client.get(f"/api/v1/bookings/{token}").json()["id"] == body["id"]
    moved = post(client, f"/api/v1/bookings/{token}/reschedule", {"start": "2026-06-03T17:00:00Z"})
    assert moved.status_code == 200
    assert (moved.json()["start"], moved.json()["sequence"]) == ("2026-06-03T17:00:00Z", 1)
    cancelled = post(client, f"/api/v1/bookings/{token}/cancel", {})
    assert cancelled.status_code == 200
    assert (cancelled.json()["status"], cancelled.json()["video_url"]) == ("cancelled", "")
    again = post(client, f"/api/v1/bookings/{token}/reschedule", {"start": "2026-06-03T17:00:00Z"})
    assert again.status_code == 409 and again.json()["error"]["code"] == "not_booked"


def test_a_retry_with_the_same_idempotency_key_returns_the_first_booking(client, video):
    first = post(
        client, "/api/v1/bookings", booking(), **{"Idempotency-Key": "retry-key-0001-abcdef"}
    )
    second = post(
        client, "/api/v1/bookings", booking(), **{"Idempotency-Key": "retry-key-0001-abcdef"}
    )
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert Appointment.objects.count() == 1


def test_a_taken_slot_is_409_with_next_free_times(client, video):
    assert post(client, "/api/v1/bookings", booking()).status_code == 201
    response = post(client, "/api/v1/bookings", booking(email="b@example.org"))
    assert response.status_code == 409
    body = response.json()
    assert body["error"]["code"] == "slot_taken"
    assert body["next_free"][0]["start"] == "2026-06-03T16:30:00Z"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"phone": "12"}, "phone"),
        ({"consent_to_contact": False}, "consent_to_contact"),
        ({"stage": "pregnant", "key_date": "2025-01-01"}, "key_date"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"start": "2026-06-03T10:00:00"}, "start"),
        ({"name": ""}, "name"),
    ],
)
def test_invalid_bookings_say_which_field(client, video, change, field):
    response = post(client, "/api/v1/bookings", booking(**change))
    assert response.status_code == 422
    assert field in [d["field"] for d in response.json()["error"]["details"]]
    assert Appointment.objects.count() == 0


def test_a_time_not_offered_is_422_not_409(client, video):
    response = post(client, "/api/v1/bookings", booking(start="2026-06-03T03:00:00Z"))
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "not_offered"


def test_unknown_token_is_404_in_the_error_shape(client, video):
    response = client.get("/api/v1/bookings/not-a-real-token")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert post(client, "/api/v1/bookings/x/cancel", {}).status_code == 404


def test_booking_is_rate_limited(client, video, settings):
    settings.PERINATAL_RATE_LIMITS = {**settings.PERINATAL_RATE_LIMITS, "booking": "1/h"}
    post(client, "/api/v1/bookings", booking())
    response = post(client, "/api/v1/bookings", booking(start="2026-06-03T17:00:00Z"))
    assert response.status_code == 429
    assert Message.objects.filter(template="appointment_booked").count() == 1


def test_consultation_types_list_where_each_is_offered(client, video, in_person):
    types = {t["slug"]: t for t in client.get("/api/v1/consultation-types").json()}
    assert types["video-chat"]["locations"] == []
    assert [loc["time_zone"] for loc in types["in-person"]["locations"]] == ["America/Denver"]


def test_the_schema_documents_every_booking_endpoint(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {
        "/api/v1/slots",
        "/api/v1/bookings",
        "/api/v1/bookings/{token}",
        "/api/v1/bookings/{token}/reschedule",
        "/api/v1/bookings/{token}/cancel",
    } <= set(paths)
    assert {"201", "200", "409", "422"} <= set(paths["/api/v1/bookings"]["post"]["responses"])


def test_a_reused_key_with_a_different_request_gets_nothing_back(client, video):
    key = {"Idempotency-Key": "shared-key-0123456789"}
    first = post(client, "/api/v1/bookings", booking(), **key)
    other = post(
        client,
        "/api/v1/bookings",
        booking(email="eve@example.org", name="Eve", start="2026-06-03T17:00:00Z"),
        **key,
    )
    assert first.status_code == 201
    assert other.status_code == 422
    assert other.json()["error"]["code"] == "idempotency_key_reused"
    assert first.json()["manage_token"] not in other.content.decode()
    assert Appointment.objects.count() == 1


@pytest.mark.parametrize(
    "start", ["9999-12-31T23:59:59.999999+00:00", "0001-01-01T00:00:00Z", "2040-01-01T00:00:00Z"]
)
def test_instants_beyond_reason_are_422_not_500(client, video, start):
    response = post(client, "/api/v1/bookings", booking(start=start))
    assert response.status_code == 422
    assert "start" in [d["field"] for d in response.json()["error"]["details"]]
    slots = client.get("/api/v1/slots", {"type": "video-chat", "start": start, "end": start})
    assert slots.status_code == 422


@pytest.mark.parametrize(
    "change",
    [{"name": "Ana\x00Example"}, {"name": "Ana\x1b[31m"}, {"ob_name": "Dr\x07 Lee"}],
)
def test_control_characters_in_a_booking_are_422_naming_the_field(client, video, change):
    response = post(client, "/api/v1/bookings", booking(**change))
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == next(iter(change))
    assert not Appointment.objects.exists()


def test_a_name_on_two_lines_is_422(client, video):
    response = post(client, "/api/v1/bookings", booking(name="Ana\r\nBcc: x@example.org"))
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "name"


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded"])
def test_a_body_that_is_not_json_is_415(client, video, content_type):
    response = client.post(
        "/api/v1/bookings", data=json.dumps(booking()), content_type=content_type
    )
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media_type"
    assert not Appointment.objects.exists()


def test_replies_with_her_details_are_not_stored_by_caches(client, video):
    made = post(client, "/api/v1/bookings", booking())
    assert made.status_code == 201
    assert "no-store" in made["Cache-Control"]
    seen = client.get(f"/api/v1/bookings/{made.json()['manage_token']}")
    assert seen.status_code == 200
    assert "no-store" in seen["Cache-Control"]


def _screen(client, **answers) -> dict:
    body = {"instrument": "phq9", "language": "en", "answers": [0] * 8 + [1]}
    response = post(client, "/api/v1/screenings", {**body, **answers})
    assert response.status_code == 201, response.content
    return response.json()


def test_a_screen_attaches_with_the_key_its_own_client_got(client, video):
    screen = _screen(client)
    assert screen["attach_key"] and screen["attach_key"] != screen["id"]
    made = post(client, "/api/v1/bookings", booking(screening_key=screen["attach_key"]))
    assert made.status_code == 201, made.content
    appointment = Appointment.objects.get()
    assert str(appointment.screening.public_id) == screen["id"]
    assert appointment.urgent  # her own self-harm answer travels with her booking


def test_a_screens_id_alone_attaches_nothing(client, video):
    screen = _screen(client)
    made = post(client, "/api/v1/bookings", booking(screening=screen["id"]))
    assert made.status_code == 201
    appointment = Appointment.objects.get()
    assert appointment.screening is None and not appointment.urgent


def test_a_key_past_its_hours_attaches_nothing(client, video, frozen, settings):
    screen = _screen(client)
    frozen.shift(timedelta(minutes=settings.PERINATAL_SCREENING_ATTACH_MINUTES + 1))
    made = post(client, "/api/v1/bookings", booking(screening_key=screen["attach_key"]))
    assert made.status_code == 404
    assert made.json()["error"]["code"] == "unknown_screening"
    assert not Appointment.objects.exists()


def test_control_characters_in_query_parameters_are_dropped_not_a_server_error(client, video):
    listed = client.get("/api/v1/consultation-types", {"x\x11": "\x00y"})
    assert listed.status_code == 200 and listed["Content-Type"].startswith("application/json")
    slots = client.get(
        "/api/v1/slots",
        {"type": "video-\x00chat", "start": "2026-06-03T06:00:00Z", "end": "2026-06-04T06:00:00Z"},
    )
    assert slots.status_code == 200 and slots.json()  # the type, once cleaned, is found
