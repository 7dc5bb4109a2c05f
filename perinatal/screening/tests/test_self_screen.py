"""The anonymous self-screen as a mother meets it, through the server-rendered pages."""

import re

import pytest

from perinatal.audit.models import AuditEvent
from perinatal.notify.models import Message
from perinatal.screening.models import CallbackRequest, Screening
from tests.harness import sign_in

pytestmark = pytest.mark.django_db

LOW = {"q1": 0, "q2": 0, "q3": 3, "q4": 0, "q5": 3, "q6": 3, "q7": 3, "q8": 3, "q9": 3, "q10": 3}


def answers(**overrides):
    data = {**LOW, **overrides}
    return {k: str(v) for k, v in data.items()}


def test_the_form_shows_every_item_with_its_citation(client, clinic):
    response = client.get("/check/")
    assert response.status_code == 200
    html = response.text
    assert html.count('type="radio"') == 40
    assert "I have been able to laugh and see the funny side of things" in html
    assert "Cox JL, Holden JM, Sagovsky R" in html
    assert response["Cache-Control"] == "no-store, private"


def test_a_blank_form_is_never_accepted_as_complete(client, clinic):
    response = client.post("/check/", {})
    assert response.status_code == 200
    assert Screening.objects.count() == 0
    for n in range(1, 11):
        assert f"Please choose an answer for question {n}." in response.text


def test_an_error_keeps_every_answer_already_given(client, clinic):
    data = answers()
    del data["q7"]
    data["q2"] = "2"
    data["risk_factors"] = ["support"]
    response = client.post("/check/", data)
    assert Screening.objects.count() == 0
    assert "Please choose an answer for question 7." in response.text
    assert re.search(r'name="q2" value="2"[^>]*checked', response.text)
    assert re.search(r'value="support"[^>]*checked', response.text)


def test_a_mother_sees_her_total_band_and_that_it_is_not_a_diagnosis(client, clinic):
    response = client.post("/check/", answers(q1=2, q2=3, q4=3, q8=0), follow=True)
    screening = Screening.objects.get()
    assert screening.total == 2 + 3 + 3 + 3
    assert screening.band == "some"
    assert screening.safety_alert is False
    assert response.redirect_chain == [("/check/result/", 302)]
    html = response.text
    assert "Your EPDS score is <strong>11</strong> out of 30." in html
    assert "Some signs of depression" in html
    assert "A screen is not a diagnosis." in html
    assert 'id="crisis"' not in html


def test_the_result_address_carries_no_record_identifier(client, clinic):
    response = client.post("/check/", answers())
    screening = Screening.objects.get()
    assert response["Location"] == "/check/result/"
    assert str(screening.public_id) not in response["Location"]


def test_a_stranger_without_the_session_cannot_see_a_result(client, clinic):
    client.post("/check/", answers(q10=0))
    other = client.__class__()
    response = other.get("/check/result/")
    assert response.status_code == 302
    assert response["Location"] == "/check/"


def test_going_back_keeps_the_answers(client, clinic):
    client.post("/check/", answers(q1=2, q10=2))
    html = client.get("/check/").text
    assert re.search(r'name="q1" value="2"[^>]*checked', html)
    assert re.search(r'name="q10" value="2"[^>]*checked', html)


def test_changing_answers_replaces_the_earlier_anonymous_record(client, clinic):
    client.post("/check/", answers(q1=1))
    client.post("/check/", answers(q1=3))
    assert list(Screening.objects.values_list("total", flat=True)) == [3]


@pytest.mark.parametrize("position", [0, 1, 2])
def test_any_self_harm_answer_opens_the_result_with_crisis_resources(client, clinic, position):
    response = client.post("/check/", answers(q10=position), follow=True)
    html = response.text
    assert Screening.objects.get().safety_alert
    crisis = html.index('id="crisis"')
    assert crisis < html.index('id="score-heading"')
    assert 'href="tel:988"' in html and 'href="sms:988"' in html
    assert 'href="tel:+18338526262"' in html and "1-833-TLC-MAMA" in html
    assert 'href="tel:911"' in html
    assert 'action="/call-back/"' in html
    assert crisis < html.index('action="/call-back/"') < html.index('id="score-heading"')


def test_a_self_harm_answer_shows_crisis_lines_even_with_a_low_total(client, clinic):
    client.post("/check/", answers(q10=2))  # "Hardly ever": score 1, total 1
    screening = Screening.objects.get()
    assert (screening.total, screening.band) == (1, "fewer")
    assert 'id="crisis"' in client.get("/check/result/").text


def test_the_anonymous_record_keeps_no_identifying_data(client, clinic):
    client.post("/check/", answers(q10=1), HTTP_USER_AGENT="Tracker/1.0", REMOTE_ADDR="203.0.113.9")
    screening = Screening.objects.get()
    stored = repr(list(Screening.objects.values()))
    assert "203.0.113.9" not in stored and "Tracker" not in stored
    audited = repr(list(AuditEvent.objects.values()))
    assert "screening.screening" in audited and "203.0.113.9" not in audited
    assert {f.name for f in Screening._meta.fields} == {
        "id",
        "public_id",
        "instrument",
        "instrument_version",
        "language",
        "answers",
        "item_scores",
        "total",
        "band",
        "safety_alert",
        "risk_factors",
        "channel",
        "patient",
        "created_at",
        "attach_digest",  # the digest of a random key an API client holds; empty from the web
    }
    assert screening.patient is None and screening.attach_digest == ""
    assert screening.answers[9] == {"item": 10, "position": 1, "score": 2, "text": "Sometimes"}
    assert screening.instrument_version == "1987-en.1"


def test_an_urgent_call_back_is_stored_and_alerts_on_call_without_phi(client, clinic):
    client.post("/check/", answers(q10=0))
    response = client.post("/call-back/", {"first_name": "  Maria ", "phone": "(617) 555-0199"})
    assert response.status_code == 302
    assert response["Location"] == "/call-back/thanks/"
    callback = CallbackRequest.objects.get()
    assert (callback.first_name, callback.phone, callback.urgent) == ("Maria", "+16175550199", True)
    assert callback.screening == Screening.objects.get()
    message = Message.objects.get()
    assert message.to == clinic.oncall_email
    assert message.status == Message.Status.PENDING
    assert message.subject == "URGENT: call-back request waiting"
    for phi in ("Maria", "555", "0199", "EPDS"):
        assert phi not in message.subject
        assert phi not in message.body_text
        assert phi not in message.body_html
    assert "/staff/queue/" in message.body_text


def test_a_bad_phone_number_gets_a_plain_message_and_keeps_the_name(client, clinic):
    response = client.post("/call-back/", {"first_name": "Maria", "phone": "12"})
    assert response.status_code == 200
    assert "That does not look like a phone number." in response.text
    assert 'value="Maria"' in response.text
    assert CallbackRequest.objects.count() == 0
    assert Message.objects.count() == 0


def test_staff_see_urgent_call_backs_first(client, staff, clinic):
    from perinatal.screening.services import request_callback

    request_callback(
        first_name="Routine", phone="+16175550101", language="en", screening=None, urgent=False
    )
    request_callback(
        first_name="Urgent", phone="+16175550102", language="en", screening=None, urgent=True
    )
    sign_in(client, staff("nurse"))
    html = client.get("/staff/queue/").text
    assert html.index("Urgent") < html.index("Routine")


def test_the_public_screen_uses_the_instrument_the_clinic_chose(client, clinic, settings):
    settings.PERINATAL_PUBLIC_INSTRUMENT = "phq9"
    html = client.get("/check/").text
    assert html.count('type="radio"') == 36
    assert "Kroenke K, Spitzer RL, Williams JBW" in html
    data = {f"q{n}": "0" for n in range(1, 10)} | {"q9": "1"}
    client.post("/check/", data)
    screening = Screening.objects.get()
    assert (screening.instrument, screening.safety_alert) == ("phq9", True)
    assert 'id="crisis"' in client.get("/check/result/").text


def test_the_clinic_can_switch_the_public_screen_off(client, clinic, settings):
    settings.PERINATAL_PUBLIC_INSTRUMENT = "off"
    response = client.get("/check/")
    assert 'type="radio"' not in response.text
    assert clinic.phone in response.text
    assert client.post("/check/", answers()).status_code == 200
    assert Screening.objects.count() == 0


def test_no_questionnaire_is_shown_without_validated_wording_in_the_language(client, clinic):
    response = client.get("/es/check/")
    assert response.status_code == 200
    assert 'type="radio"' not in response.text
    assert f'href="tel:{clinic.phone}"' in response.text
    assert 'href="/check/"' in response.text


def test_the_spanish_menu_offers_no_check_while_spanish_has_no_questionnaire(client, clinic):
    for path in ("/es/", "/es/book/", "/es/help-now/"):
        assert 'href="/es/check/"' not in client.get(path).text, path
    assert 'href="/check/"' in client.get("/book/").text
    page = client.get("/es/check/").text
    assert "Hacer el cuestionario en inglés" in page
    assert "Take the check in English" not in page


def test_the_spanish_menu_offers_the_check_once_a_spanish_wording_is_loaded(
    client, clinic, settings, tmp_path
):
    from perinatal.screening import instruments

    source = (instruments.SHIPPED_DIR / "epds.en.toml").read_text()
    spanish = source.replace('language = "en"', 'language = "es"').replace("1987-en", "1987-es")
    (tmp_path / "epds.es.toml").write_text(spanish)
    settings.PERINATAL_INSTRUMENT_DIRS = [str(tmp_path)]
    instruments.load_all.cache_clear()
    try:
        assert 'type="radio"' in client.get("/es/check/").text
        assert 'href="/es/check/"' in client.get("/es/book/").text
    finally:
        settings.PERINATAL_INSTRUMENT_DIRS = []
        instruments.load_all.cache_clear()


def test_public_posts_are_rate_limited(client, clinic, settings):
    settings.PERINATAL_RATE_LIMITS = {**settings.PERINATAL_RATE_LIMITS, "callback": "2/h"}
    for _ in range(2):
        client.post("/call-back/", {"first_name": "A", "phone": "12"})
    response = client.post("/call-back/", {"first_name": "A", "phone": "+16175550100"})
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert 'href="tel:988"' in response.text
    assert CallbackRequest.objects.count() == 0


def test_without_a_clinic_address_the_request_is_still_kept_and_the_gap_logged(client, caplog):
    response = client.post("/call-back/", {"first_name": "Maria", "phone": "6175550199"})
    assert response.status_code == 302
    assert CallbackRequest.objects.count() == 1
    assert Message.objects.count() == 0
    assert "no clinic address to alert" in caplog.text
    assert "Maria" not in caplog.text and "0199" not in caplog.text


def test_chosen_risk_factors_come_back_as_context_with_their_sources(client, clinic):
    data = answers() | {"risk_factors": ["support", "preterm-nicu"]}
    client.post("/check/", data)
    html = client.get("/check/result/").text
    assert "I do not have enough support from people around me" in html
    assert "My baby was born early or stayed in the NICU" in html
    assert "This pregnancy was not planned" not in html
    assert "US Preventive Services Task Force" in html and "Pediatrics 2019" in html
