"""The consent texts: shipped defaults, versions, and the lock on a published version."""

import pytest
from django.utils.html import escape

from perinatal.consents.models import DEFAULT_NOTE, ConsentTemplate, Kind, Locked
from perinatal.consents.templatetags.consent_text import consent_html
from tests.harness import make_staff, sign_in

pytestmark = pytest.mark.django_db


def test_every_form_ships_in_english_and_spanish_labelled_as_a_default():
    shipped = ConsentTemplate.objects.published()
    assert {(t.kind, t.language) for t in shipped} == {
        (kind, language) for kind in Kind.values for language in ("en", "es")
    }
    assert all(t.is_default and t.version == 1 for t in shipped)
    assert all(DEFAULT_NOTE.lower() in str(t) for t in shipped)


def test_the_treatment_form_states_the_fda_status_accurately():
    english = ConsentTemplate.objects.active(Kind.TREATMENT, "en")
    assert "FDA) has approved ketamine injection only as an anaesthetic" in english.body
    assert "has not approved ketamine given into a vein for depression" in english.body
    assert "off-label" in english.body and "off-label" in english.confirmation
    for risk in [
        "blood pressure",
        "dissociation",
        "Drowsiness",
        "Nausea",
        "emergence reactions",
        "Misuse",
        "breast milk",
        "not fully known",
    ]:
        assert risk in english.body, risk
    assert "An adult you trust must come to take you home" in english.body
    assert "Do not drive" in english.body
    assert "withdraw this consent at any time" in english.body
    spanish = ConsentTemplate.objects.active(Kind.TREATMENT, "es")
    assert "La FDA no ha aprobado la ketamina por vía intravenosa para la depresión" in spanish.body
    assert "fuera de indicación" in spanish.confirmation


def test_the_sharing_and_telehealth_forms_say_what_she_needs_to_know():
    sharing = ConsentTemplate.objects.active(Kind.OB_SHARING, "en").body
    for part in ["What we share", "Who we share it with", "How long this lasts", "withdraw"]:
        assert part in sharing
    telehealth = ConsentTemplate.objects.active(Kind.TELEHEALTH, "en").body
    for part in ["Your privacy", "Emergencies", "911", "988"]:
        assert part in telehealth


def test_a_published_version_can_never_change_and_the_next_one_is_a_copy():
    published = ConsentTemplate.objects.active(Kind.TELEHEALTH, "en")
    published.body = "Something else entirely."
    with pytest.raises(Locked):
        published.save()
    with pytest.raises(Locked):
        published.delete()
    published.refresh_from_db()
    assert "Something else" not in published.body

    draft = published.new_draft()
    assert (draft.version, draft.published_at) == (2, None)
    draft.body = "Our own reviewed wording.\n\nSecond paragraph."
    draft.is_default = False
    draft.save()  # a draft is still editable
    assert ConsentTemplate.objects.active(Kind.TELEHEALTH, "en") == published

    draft.publish()
    assert ConsentTemplate.objects.active(Kind.TELEHEALTH, "en") == draft
    draft.title = "Changed after publishing"
    with pytest.raises(Locked):
        draft.save()


def test_an_older_draft_cannot_be_published_over_a_newer_version():
    first = ConsentTemplate.objects.active(Kind.OB_SHARING, "es")
    older, newer = first.new_draft(), first.new_draft()
    newer.publish()
    with pytest.raises(Locked):
        older.publish()
    assert ConsentTemplate.objects.active(Kind.OB_SHARING, "es") == newer


def test_a_language_without_a_form_falls_back_to_english():
    assert ConsentTemplate.objects.active(Kind.TELEHEALTH, "fr").language == "en"


def test_the_body_is_shown_as_text_never_as_html():
    html = consent_html("Heading\nA <script>alert(1)</script> line.\n\n- one & two\n- <b>three</b>")
    assert "<script>" not in html and escape("<script>") in html
    assert "<h3>Heading</h3>" in html
    assert "<li>one &amp; two</li>" in html and "<li>&lt;b&gt;three&lt;/b&gt;</li>" in html


def test_the_admin_shows_a_published_version_read_only_to_the_medical_director(client, clinic):
    director = make_staff("director")
    sign_in(client, director)
    published = ConsentTemplate.objects.active(Kind.TREATMENT, "en")
    page = client.get(f"/admin/consents/consenttemplate/{published.pk}/change/")
    assert page.status_code == 200
    assert b'name="body"' not in page.content  # no editable field
    refused = client.post(
        f"/admin/consents/consenttemplate/{published.pk}/change/",
        {"title": "x", "body": "y", "confirmation": "z"},
    )
    assert refused.status_code == 403
    published.refresh_from_db()
    assert published.title != "x"

    client.post(
        "/admin/consents/consenttemplate/",
        {"action": "copy_as_draft", "_selected_action": [published.pk]},
    )
    draft = ConsentTemplate.objects.get(kind=Kind.TREATMENT, language="en", version=2)
    page = client.get(f"/admin/consents/consenttemplate/{draft.pk}/change/")
    assert b'name="body"' in page.content
    client.post(
        "/admin/consents/consenttemplate/",
        {"action": "publish", "_selected_action": [draft.pk]},
    )
    assert ConsentTemplate.objects.active(Kind.TREATMENT, "en") == draft


def test_consent_texts_are_configuration_a_clinician_cannot_open(client, clinic):
    sign_in(client, make_staff("clinician"))
    page = client.get("/admin/consents/consenttemplate/")
    assert page.status_code in (302, 403, 404)
