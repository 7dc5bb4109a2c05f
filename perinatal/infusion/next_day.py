"""The next-day check: scheduled when her discharge is signed, sent by the outbox at the clinic's
hour the day after, answered through a private link (the token's digest is stored, never the
token). Its self-harm question is the self-screen's (EPDS item 10, in her language), scored the
same way: any answer above zero reaches the top of the work queue and alerts on-call."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from perinatal.clinic.models import Clinic
from perinatal.infusion.models import DaySettings, InfusionSession, NextDayCheck
from perinatal.lib.tokens import digest, new_token
from perinatal.notify.services import alert_on_call, queue_email
from perinatal.screening.instruments import Item, get_instrument

LINK_DAYS = 3


def self_harm_item(language: str) -> Item:
    instrument = get_instrument("epds", language) or get_instrument("epds", "en")
    assert instrument is not None  # the EPDS ships in English
    return instrument.safety_items[0]


def link(token: str, language: str) -> str:
    with translation.override(language):
        return settings.SITE_URL + reverse("after:check", args=[token])


def schedule(session: InfusionSession) -> tuple[NextDayCheck, str]:
    """Call inside the discharge's transaction: the check row, and her email queued for the
    clinic's hour tomorrow (none without an address: no answer then puts a call in the queue)."""
    day = DaySettings.objects.current()
    patient = session.patient
    tomorrow = timezone.localdate(session.discharged_at or timezone.now()) + timedelta(days=1)
    zone = timezone.get_current_timezone()
    send_at = datetime.combine(tomorrow, time(day.next_day_hour), tzinfo=zone)
    answer_by = datetime.combine(tomorrow, time(day.next_day_answer_by_hour), tzinfo=zone)
    token, token_digest = new_token()
    check = NextDayCheck.objects.create(
        session=session,
        patient=patient,
        token_digest=token_digest,
        language=patient.language or "en",
        send_at=send_at,
        answer_by=max(answer_by, send_at + timedelta(hours=1)),
    )
    if patient.email:
        queue_email(
            to=patient.email,
            template="next_day_check",
            context={"link": link(token, check.language), "clinic": Clinic.objects.current()},
            language=check.language,
            dedupe_key=f"next-day:{token_digest}",
            about=check,
            send_at=send_at,
        )
    return check, token


class LinkClosed(Exception):
    pass


def open_check(token: str, now: datetime | None = None) -> NextDayCheck:
    now = now or timezone.now()
    check = NextDayCheck.objects.filter(token_digest=digest(token)).first()
    if check is None or check.answered_at is not None:
        raise LinkClosed
    if now > check.send_at + timedelta(days=LINK_DAYS):
        raise LinkClosed
    return check


@dataclass
class Answers:
    side_effects: dict[str, str]
    mood: int
    self_harm_position: int
    comments: str = ""


def answer(check: NextDayCheck, answers: Answers) -> NextDayCheck:
    item = self_harm_item(check.language)
    score = item.options[answers.self_harm_position].score
    with transaction.atomic():
        check = NextDayCheck.objects.select_for_update().get(pk=check.pk)
        if check.answered_at is not None:
            raise LinkClosed
        check.side_effects = answers.side_effects
        check.mood = answers.mood
        check.self_harm_score = score
        check.comments = answers.comments
        check.answered_at = timezone.now()
        check.save()
        if score > 0:
            alert_on_call(
                template="next_day_alert",
                context={"queue_url": settings.SITE_URL + reverse("backoffice:queue")},
                dedupe_key=f"next-day-alert:{check.pk}",
                about=check,
            )
    return check


def handle(check: NextDayCheck, *, by, note: str) -> NextDayCheck:
    with transaction.atomic():
        check = NextDayCheck.objects.select_for_update().get(pk=check.pk)
        if check.handled_at is None:
            check.handled_at, check.handled_by, check.handled_note = timezone.now(), by, note
            check.save(update_fields=["handled_at", "handled_by", "handled_note"])
    return check
