"""Her progress after she answers: nothing about her mental health until she gives her date of
birth or her baby's; wrong dates are counted and lock the link; then every score on one chart
with its bands and her infusion marked, no-store and noindex."""

from datetime import date, timedelta

import pytest
import time_machine

from perinatal.audit.models import AuditEvent
from perinatal.followup import services
from perinatal.followup.models import FollowUp
from perinatal.followup.tests.helpers import epds_answers, infusion_given, link_in
from perinatal.notify.models import Message

pytestmark = pytest.mark.django_db
BORN = date(1992, 4, 17)


@pytest.fixture
def answered(client, day_clinic, clinician, nurse, second_nurse):
    """Her first follow-up answered (EPDS 7) by link; the clock at two hours after it opened."""
    session = infusion_given(clinician, nurse, second_nurse, date_of_birth=BORN)
    first = FollowUp.objects.filter(session=session).order_by("opens_at").first()
    with time_machine.travel(first.opens_at, tick=False):
        services.sweep()
    link = link_in(Message.objects.get(template="follow_up_invitation", about_id=first.pk))
    with time_machine.travel(first.opens_at + timedelta(hours=2), tick=False) as clock:
        thanks = client.post(link, epds_answers(total_from_items=7)).content.decode()
        assert f"{link}progress/" in thanks
        yield session, f"{link}progress/", clock


def test_nothing_shows_before_the_date_only_she_knows(client, answered):
    session, url, _ = answered
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"] and "noindex" in page["X-Robots-Tag"]
    assert "score" not in html.lower() and "EPDS" not in html
    assert session.patient.name not in html


def test_her_date_of_birth_opens_her_scores_with_the_infusion_marked(client, answered):
    session, url, _ = answered
    response = client.post(url, {"said": BORN.isoformat()})
    assert response.status_code == 302
    page = client.get(url)
    html = page.content.decode()
    assert "no-store" in page["Cache-Control"] and "noindex" in page["X-Robots-Tag"]
    assert "Your EPDS score was" in html and "and 7 on" in html
    assert 'class="mark"' in html and "Your infusion" in html
    assert AuditEvent.objects.filter(
        patient_id=session.patient_id, detail__page="progress", detail__by="patient"
    ).exists()


def test_her_babys_birthday_opens_it_too(client, answered):
    session, url, _ = answered
    delivered = session.patient.delivery_date
    assert delivered is not None
    assert client.post(url, {"said": delivered.isoformat()}).status_code == 302


def test_wrong_dates_are_refused_and_lock_the_link(client, answered):
    _, url, _ = answered
    for _ in range(services.PROGRESS_TRIES - 1):
        refused = client.post(url, {"said": "2000-01-01"})
        assert refused.status_code == 400
        assert "does not match" in refused.content.decode()
    locked = client.post(url, {"said": "2000-01-01"})
    assert locked.status_code == 410
    # Locked: even her own date no longer opens it, and the page shows nobody's data.
    again = client.post(url, {"said": BORN.isoformat()})
    assert again.status_code == 410 and "EPDS" not in again.content.decode()
    assert AuditEvent.objects.filter(detail__check="wrong date").count() == services.PROGRESS_TRIES


def test_the_check_holds_for_a_while_in_her_browser_only(client, answered, django_user_model):
    from django.test import Client

    _, url, clock = answered
    client.post(url, {"said": BORN.isoformat()})
    assert "Your EPDS score was" in client.get(url).content.decode()
    assert "Your EPDS score was" not in Client().get(url).content.decode()
    clock.shift(timedelta(minutes=20))
    assert "Your EPDS score was" not in client.get(url).content.decode()


def test_an_unanswered_or_closed_link_has_no_progress(client, answered):
    session, url, clock = answered
    follow_up = FollowUp.objects.get(session=session, status="answered")
    clock.move_to(follow_up.closes_at + timedelta(minutes=1))
    assert client.get(url).status_code == 410
    assert client.get("/how-are-you/not-a-link/progress/").status_code == 410


def test_her_progress_asks_and_answers_in_her_language(client, answered):
    session, url, _ = answered
    FollowUp.objects.filter(session=session).update(language="es")
    assert "Su fecha de nacimiento, o la de su bebé" in client.get(url).content.decode()
    client.post(url, {"said": BORN.isoformat()})
    html = client.get(url).content.decode()
    assert "Cómo ha estado" in html and "Su infusión" in html
