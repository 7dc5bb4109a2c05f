import json

import pytest

from perinatal.screening.models import Screening

pytestmark = pytest.mark.django_db


def post(client, body, **extra):
    return client.post(
        "/api/v1/screenings", data=json.dumps(body), content_type="application/json", **extra
    )


def test_it_scores_and_stores_an_epds_screen(client):
    response = post(client, {"instrument": "epds", "answers": [1, 1, 1, 1, 1, 1, 1, 1, 1, 3]})
    assert response.status_code == 201
    body = response.json()
    assert body["item_scores"] == [1, 1, 2, 1, 2, 2, 2, 2, 2, 0]
    assert body["total"] == 15
    assert body["max_total"] == 30
    assert body["band"]["code"] == "many"
    assert body["safety_alert"] is False
    assert body["crisis_resources"] == []
    assert body["instrument"] == {
        "code": "epds",
        "version": "1987-en.1",
        "language": "en",
        "name": "Edinburgh Postnatal Depression Scale",
        "abbreviation": "EPDS",
    }
    stored = Screening.objects.get(public_id=body["id"])
    assert (stored.total, stored.channel) == (15, "api")


@pytest.mark.parametrize(
    ("instrument", "answers", "total"),
    [("phq9", [0, 0, 0, 0, 0, 0, 0, 0, 1], 1), ("epds", [0, 0, 3, 0, 3, 3, 3, 3, 3, 2], 1)],
)
def test_a_self_harm_answer_raises_the_safety_alert_with_crisis_lines(
    client, instrument, answers, total
):
    body = post(client, {"instrument": instrument, "answers": answers}).json()
    assert body["total"] == total
    assert body["safety_alert"] is True
    numbers = [r["number"] for r in body["crisis_resources"]]
    assert numbers == ["911", "988", "+18338526262"]


def test_gad7_has_no_safety_item(client):
    body = post(client, {"instrument": "gad7", "answers": [3] * 7}).json()
    assert (body["total"], body["band"]["code"], body["safety_alert"]) == (21, "severe", False)


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"instrument": "epds", "answers": [0] * 9}, "invalid_input", "answers"),
        ({"instrument": "epds", "answers": [0] * 9 + [7]}, "invalid_input", "answers.9"),
        ({"instrument": "phq9", "answers": [0] * 10}, "invalid_input", "answers"),
        ({"instrument": "epds", "answers": "0000000000"}, "invalid_input", "answers"),
        ({"instrument": "bdi", "answers": [0] * 10}, "invalid_input", "instrument"),
        ({"answers": [0] * 10}, "invalid_input", "instrument"),
        (
            {"instrument": "gad7", "answers": [0] * 7, "risk_factors": ["astrology"]},
            "invalid_input",
            "risk_factors",
        ),
    ],
)
def test_invalid_input_gets_a_clear_422_in_one_shape(client, body, code, field):
    response = post(client, body)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == code
    assert error["message"]
    assert any(d["field"] and d["field"].startswith(field) for d in error["details"])
    assert Screening.objects.count() == 0


def test_malformed_json_is_refused_without_a_500(client):
    response = client.post("/api/v1/screenings", data="{not json", content_type="application/json")
    assert 400 <= response.status_code < 500
    assert "error" in response.json()


def test_a_language_without_validated_wording_is_404(client):
    response = post(client, {"instrument": "epds", "answers": [0] * 10, "language": "es"})
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_available"


def test_instruments_are_published_with_items_scores_and_licence(client):
    listing = client.get("/api/v1/instruments").json()
    assert {i["code"] for i in listing} == {"epds", "phq9", "gad7"}
    epds = client.get("/api/v1/instruments/epds").json()
    assert epds["items"][2]["options"][0] == {
        "position": 0,
        "text": "Yes, most of the time",
        "score": 3,
        "loinc": "",
    }
    assert epds["items"][9]["safety"] is True
    assert "Cox JL" in epds["citation"]


def test_the_openapi_schema_documents_the_screening_endpoint(client):
    schema = client.get("/api/v1/openapi.json").json()
    post_op = schema["paths"]["/api/v1/screenings"]["post"]
    assert set(post_op["responses"]) >= {"201", "400", "422", "429"}
    body = schema["components"]["schemas"]["EPDSScreeningIn"]["properties"]["answers"]
    assert (body["minItems"], body["maxItems"], body["items"]["maximum"]) == (10, 10, 3)


def test_the_api_post_is_rate_limited(client, settings):
    settings.PERINATAL_RATE_LIMITS = {**settings.PERINATAL_RATE_LIMITS, "screening": "1/h"}
    assert post(client, {"instrument": "gad7", "answers": [0] * 7}).status_code == 201
    response = post(client, {"instrument": "gad7", "answers": [0] * 7})
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "rate_limited"
