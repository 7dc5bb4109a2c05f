import re

import pytest

from tests.harness import PUBLIC_PAGES

pytestmark = pytest.mark.django_db

FDA_STATEMENT = {
    "en": "has not approved IV ketamine for any psychiatric",
    "es": "no ha aprobado la ketamina intravenosa para ninguna",
}


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_every_page_that_speaks_of_ketamine_says_it_is_off_label(client, clinic, path, language):
    url = path if language == "en" else f"/es{path}"
    response = client.get(url)
    assert response.status_code == 200
    text = visible_text(response.text)
    if re.search(r"ketamin", text, flags=re.I):
        assert FDA_STATEMENT[language] in text, url


def test_the_education_pages_cover_the_six_steps(client, clinic):
    text = visible_text(client.get("/").text) + visible_text(
        client.get("/ketamine-for-postpartum-depression/").text
    )
    for phrase in (
        "between about 6 and 26 in every 100 mothers",  # 1. common
        "more at risk",  # 2. risk factors
        "Daily antidepressants",  # 3. a poor fit for many
        "single low dose through a drip",  # 4. a single infusion
        "speak with your OB",  # 5. talk to the OB, book a consultation
        "off-label",  # 6. the FDA statement
    ):
        assert phrase in text


def test_clinic_identity_comes_from_the_database(client, clinic):
    client.get("/")  # the clinic is now cached
    clinic.name, clinic.phone = "Bayside Mothers' Clinic", "312 555 0111"
    clinic.save()
    html = client.get("/").text
    assert "Bayside Mothers&#x27; Clinic" in html
    assert 'href="tel:+13125550111"' in html
    assert "(312) 555-0111" in html
    assert "Harbor Perinatal" not in html


def test_each_page_links_to_itself_in_the_other_language(client, clinic):
    html = client.get("/ketamine-for-postpartum-depression/").text
    assert 'href="/es/ketamine-for-postpartum-depression/" lang="es" hreflang="es"' in html
    spanish = client.get("/es/ketamine-for-postpartum-depression/").text
    assert '<html lang="es">' in spanish
    assert 'href="/ketamine-for-postpartum-depression/" lang="en" hreflang="en"' in spanish


def test_the_crisis_lines_are_in_every_footer(client, clinic):
    for path in PUBLIC_PAGES:
        html = client.get(path).text
        footer = html[html.index('<footer class="site-footer">') :]
        assert 'href="tel:988"' in footer and 'href="tel:911"' in footer


def test_a_missing_page_still_offers_the_crisis_lines(client, clinic):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert 'href="tel:988"' in response.text


def test_a_refused_form_says_what_to_do_in_plain_words(clinic):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(
        "/call-back/", {"first_name": "A", "phone": "6175550100"}
    )
    assert response.status_code == 403
    assert "Please try again" in response.text
    assert 'href="tel:988"' in response.text


@pytest.mark.parametrize("path", ["/", "/ketamine-for-postpartum-depression/", "/help-now/"])
def test_public_pages_need_no_queries_once_the_clinic_is_cached(
    client, clinic, path, django_assert_num_queries
):
    client.get(path)
    first = client.get(path)
    with django_assert_num_queries(0):
        again = client.get(path)
    assert again.status_code == 200
    if path != "/help-now/":  # a page with a form carries its own CSRF token, never cached
        assert again.content == first.content
    assert "object-src 'none'" in again["Content-Security-Policy"]


def test_a_location_edit_shows_at_once(client, clinic):
    client.get("/")
    location = clinic.locations.first()
    location.is_active = False
    location.save()
    assert location.name not in client.get("/").text
