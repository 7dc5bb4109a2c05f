"""Care-plan letters: drafting from the chart, sending, and what the OB and staff do with them.

Every change of status is one conditional UPDATE (``filter(pk=…, status__in=…)``) inside a
transaction, together with its ``LetterEvent`` and audit event; a second click, a second tab or
a second OB racing for the same letter finds a row count of 0 and changes nothing.
"""

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import cast

from django.conf import settings
from django.db import transaction
from django.db.models import F, Field, Value
from django.db.models.functions import Coalesce, Least
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from perinatal.audit.log import record
from perinatal.audit.models import Action
from perinatal.clinic.models import Clinic
from perinatal.consents.services import has_signed
from perinatal.consult.summary import for_letter as consultation_summary
from perinatal.lib.tokens import digest, new_token
from perinatal.notify.services import queue_email
from perinatal.obcare.models import CarePlanLetter, LetterEvent, LetterLocked, PatientOb, ob_of
from perinatal.patients.models import Patient
from perinatal.plans.summary import for_letter as plan_summary

logger = logging.getLogger(__name__)

OB_SHARING = "ob_sharing"
Status = CarePlanLetter.Status
Kind = LetterEvent.Kind


def consent_signed(patient: Patient) -> bool:
    """Whether she has signed (and not withdrawn) the consent to share with her OB."""
    return has_signed(patient, OB_SHARING)


class CannotSend(Exception):
    """Why a letter cannot go to the OB, in words staff can act on."""


def long_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = timezone.localdate(value)
    return date_format(value, "F j, Y")


# --- Her OB, as the patient record changes ------------------------------------------------------
# Connected in ObcareConfig.ready to the signals of perinatal.patients.signals.

OB_FIELDS = ["obstetrician", "name_given", "practice_given"]


def ob_from_booking(sender, *, patient: Patient, appointment, **kwargs) -> None:
    """A booking started her record: keep the OB she named in it, if she named one."""
    if appointment.ob_name or appointment.ob_practice:
        PatientOb.objects.create(
            patient=patient, name_given=appointment.ob_name, practice_given=appointment.ob_practice
        )


def ob_on_merge(sender, *, drop: Patient, keep: Patient, **kwargs) -> list[str]:
    """Both records have an OB row: fill the kept one's gaps from the merged one's, whose row
    then goes (the kept record's answers win, as for the record's own fields). A row on the
    merged record alone is left to move with the rest."""
    rows = {
        row.patient_id: row
        for row in PatientOb.objects.select_for_update().filter(patient__in=[drop.pk, keep.pk])
    }
    dropped, kept = rows.get(drop.pk), rows.get(keep.pk)
    if dropped is None or kept is None:
        return []
    filled = []
    for name in OB_FIELDS:
        attribute = cast(Field, PatientOb._meta.get_field(name)).attname
        if getattr(kept, attribute) in (None, "") and getattr(dropped, attribute) not in (None, ""):
            setattr(kept, attribute, getattr(dropped, attribute))
            filled.append(name)
    if filled:
        kept.save(update_fields=filled)
    dropped.delete()
    return [f"ob.{name}" for name in filled]


# --- Composing ----------------------------------------------------------------------------------


def identity_text(patient: Patient) -> str:
    """What an OB needs to find the right person in their own records, and nothing more."""
    lines = [f"Name: {patient.name}"]
    if patient.date_of_birth:
        lines.append(f"Date of birth: {long_date(patient.date_of_birth)}")
    if patient.delivery_date:
        lines.append(f"Delivered on: {long_date(patient.delivery_date)}")
    elif patient.due_date:
        lines.append(f"Due date: {long_date(patient.due_date)}")
    if patient.delivery:
        lines.append(f"Delivery: {patient.get_delivery_display()}")
    return "\n".join(lines)


def request_text(respond_by: date, clinic: Clinic) -> str:
    phone = f" or call us at {clinic.phone_display}" if clinic.phone else ""
    return (
        f"Please tell us by {long_date(respond_by)} whether you clear her for the plan above or "
        "have concerns about it. Use the buttons on the secure page where you read this "
        f"letter{phone}. Until we hear from you, we will not go ahead with the treatment "
        "without reviewing it with you."
    )


def contact_text(clinic: Clinic, author) -> str:
    lines = [clinic.name]
    if clinic.address:
        lines.extend(clinic.address.splitlines())
    if clinic.phone:
        lines.append(f"Phone: {clinic.phone_display}")
    if clinic.email:
        lines.append(f"Email: {clinic.email}")
    name = author.get_full_name() or author.get_username()
    lines.append(f"Written by: {name}")
    return "\n".join(lines)


def compose_sections(patient: Patient, *, respond_by: date, author) -> list[dict]:
    """The letter's body from the chart: who she is, the clinic's assessment and decision (the
    latest signed consultation), the plan (the latest signed plan), what we ask of the OB and
    how to reach us. Summaries come from the apps that own them, as (heading, text) pairs."""
    clinic = Clinic.objects.current()
    parts = [("Patient", identity_text(patient))]
    parts += consultation_summary(patient)
    parts += plan_summary(patient)
    parts.append(("What we ask of you", request_text(respond_by, clinic)))
    parts.append(("How to reach us", contact_text(clinic, author)))
    return [{"heading": heading, "text": text} for heading, text in parts]


def default_respond_by(today: date | None = None) -> date:
    return (today or timezone.localdate()) + timedelta(
        days=Clinic.objects.current().ob_reminder_days
    )


def chart_gaps(patient: Patient) -> list[str]:
    """What is missing from the chart for a useful letter (shown to staff, not blocking)."""
    gaps = []
    if not consultation_summary(patient):
        gaps.append("There is no signed consultation or eligibility decision in the chart yet.")
    if not plan_summary(patient):
        gaps.append("There is no treatment plan, signed or draft, in the chart yet.")
    return gaps


# --- Drafts -------------------------------------------------------------------------------------


@transaction.atomic
def draft_letter(
    *, patient: Patient, author, respond_by: date | None = None, covering_note: str = ""
) -> CarePlanLetter:
    """A new draft to the OB linked to ``patient``; raises CannotSend if she has none."""
    obstetrician_id = ob_of(patient).obstetrician_id
    if obstetrician_id is None:
        raise CannotSend("Link her OB from the directory before writing a letter.")
    respond_by = respond_by or default_respond_by()
    letter = CarePlanLetter.objects.create(
        patient=patient,
        obstetrician_id=obstetrician_id,
        created_by=author,
        sections=compose_sections(patient, respond_by=respond_by, author=author),
        covering_note=covering_note,
        respond_by=respond_by,
    )
    LetterEvent.objects.create(letter=letter, kind=Kind.DRAFTED, at=letter.created_at, by=author)
    return letter


@transaction.atomic
def draft_summary(*, patient: Patient, author, sections: list[tuple[str, str]]) -> CarePlanLetter:
    """A draft telling her OB what happened, from sections the owning app composed; it asks
    for no answer. Who she is and how to reach us are added here, as in every letter."""
    obstetrician_id = ob_of(patient).obstetrician_id
    if obstetrician_id is None:
        raise CannotSend("Link her OB from the directory before writing a letter.")
    clinic = Clinic.objects.current()
    parts = [("Patient", identity_text(patient)), *sections]
    parts.append(("How to reach us", contact_text(clinic, author)))
    letter = CarePlanLetter.objects.create(
        kind=CarePlanLetter.Kind.INFUSION_SUMMARY,
        patient=patient,
        obstetrician_id=obstetrician_id,
        created_by=author,
        sections=[{"heading": heading, "text": text} for heading, text in parts],
    )
    LetterEvent.objects.create(letter=letter, kind=Kind.DRAFTED, at=letter.created_at, by=author)
    return letter


@transaction.atomic
def edit_draft(
    letter: CarePlanLetter, *, by, respond_by: date | None, covering_note: str, recompose: bool
) -> CarePlanLetter:
    """Change a draft's note and date; ``recompose`` takes the chart as it is now. A summary
    keeps what it was drafted with: only its note changes. A letter that was sent meanwhile
    raises LetterLocked (the row is locked while we look)."""
    letter = CarePlanLetter.objects.select_for_update().get(pk=letter.pk)
    if letter.is_locked:
        raise LetterLocked("This letter was sent; what it says can no longer change.")
    letter.covering_note = covering_note
    if not letter.asks_for_answer:
        recompose = False
    elif respond_by is None:
        raise ValueError("A care-plan letter asks for an answer by a date.")
    else:
        if recompose or respond_by != letter.respond_by:
            letter.sections = compose_sections(letter.patient, respond_by=respond_by, author=by)
        letter.respond_by = respond_by
    # The draft goes to whoever is her OB now.
    letter.obstetrician_id = ob_of(letter.patient).obstetrician_id or letter.obstetrician_id
    letter.save()
    LetterEvent.objects.create(
        letter=letter, kind=Kind.REFRESHED if recompose else Kind.EDITED, by=by
    )
    return letter


# --- Status changes -----------------------------------------------------------------------------


def _advance(
    letter: CarePlanLetter,
    *,
    allowed,
    kind: str,
    changes: dict,
    now: datetime,
    by=None,
    by_label: str = "",
    action: str = Action.UPDATE,
    retired_digest: str = "",
    implied: tuple[str, ...] = (),
) -> bool:
    """One conditional UPDATE, its event and its audit entry; False if the letter had moved on.
    ``implied`` are steps this one takes for granted, recorded first (an answer acknowledges
    receipt). Call inside a transaction."""
    moved = CarePlanLetter.objects.filter(pk=letter.pk, status__in=allowed).update(**changes)
    if not moved:
        return False
    for step in implied:
        LetterEvent.objects.create(letter=letter, kind=step, at=now, by=by, by_label=by_label)
    LetterEvent.objects.create(
        letter=letter,
        kind=kind,
        at=now,
        by=by,
        by_label=by_label,
        retired_digest=retired_digest,
    )
    record(
        action,
        letter,
        patient=letter.patient_id,
        detail={"event": kind, "fields": sorted(changes)},
    )
    return True


def ob_letter_url(token: str) -> str:
    return settings.SITE_URL + reverse("ob:letter", args=[token])


def send_letter(letter: CarePlanLetter, *, by) -> CarePlanLetter:
    """Send a draft, or send an answered-for letter again with a new link.

    Steps: refuse without the patient's signed consent to share with her OB, or without an email
    address for the OB; make a fresh private link (only its digest is kept; a resend retires the
    old one); move the letter to SENT (a draft) or keep its status (a resend), lock its content;
    queue the email, which names the clinic and carries the link and nothing about the patient.
    All in one transaction, so a failure leaves neither a sent letter without an email nor the
    reverse.
    """
    letter = CarePlanLetter.objects.select_related("patient", "obstetrician").get(pk=letter.pk)
    if not letter.may_send_again and letter.status != Status.DRAFTED:
        raise CannotSend("The OB has already answered this letter.")
    if not consent_signed(letter.patient):
        raise CannotSend(
            "She has not signed the consent to share information with her OB. Send her the "
            "consent form first; the letter can go once it is signed."
        )
    her_ob_id = ob_of(letter.patient).obstetrician_id
    if letter.status == Status.DRAFTED and letter.obstetrician_id != her_ob_id:
        raise CannotSend(
            "Her OB has changed since this letter was drafted. Save the draft again to address "
            "it to her OB now, check it, then send it."
        )
    email = letter.obstetrician.email
    if not email:
        raise CannotSend(
            "The OB directory has no email address for this OB. Add one, or print the letter "
            "and fax it."
        )
    now = timezone.now()
    token, token_digest = new_token()
    expires_at = now + timedelta(days=settings.PERINATAL_OB_LINK_DAYS)
    changes = {
        "sent_to": email,
        "sent_at": now,
        "token_digest": token_digest,
        "token_expires_at": expires_at,
    }
    first = letter.status == Status.DRAFTED
    with transaction.atomic():
        if first:
            done = _advance(
                letter,
                allowed=[Status.DRAFTED],
                kind=Kind.SENT,
                changes={**changes, "status": Status.SENT},
                now=now,
                by=by,
                action=Action.SEND,
            )
        else:
            done = _advance(
                letter,
                allowed=CarePlanLetter.AWAITING_ANSWER
                if letter.asks_for_answer
                else [Status.SENT, Status.OPENED],
                kind=Kind.RESENT,
                changes=changes,
                now=now,
                by=by,
                action=Action.SEND,
                retired_digest=letter.token_digest,
            )
        if not done:
            raise CannotSend("The letter changed while you were looking at it; please reload.")
        clinic = Clinic.objects.current()
        queue_email(
            to=email,
            template="ob_letter",
            context={
                "clinic": clinic,
                "letter_url": ob_letter_url(token),
                "expires_on": long_date(expires_at),
                "again": not first,
                "summary": not letter.asks_for_answer,
            },
            dedupe_key=f"ob-letter:{letter.pk}:{token_digest[:16]}",
            about=letter,
        )
    letter.refresh_from_db()
    return letter


def mark_opened(letter: CarePlanLetter) -> bool:
    """The OB opened the letter's page: the first time moves SENT to OPENED."""
    now = timezone.now()
    with transaction.atomic():
        return _advance(
            letter,
            allowed=[Status.SENT],
            kind=Kind.OPENED,
            changes={"status": Status.OPENED, "opened_at": now},
            now=now,
        )


def acknowledge(letter: CarePlanLetter) -> bool:
    now = timezone.now()
    with transaction.atomic():
        done = _advance(
            letter,
            allowed=[Status.SENT, Status.OPENED],
            kind=Kind.ACKNOWLEDGED,
            changes={
                "status": Status.ACKNOWLEDGED,
                "acknowledged_at": now,
                "opened_at": Coalesce(F("opened_at"), now),
            },
            now=now,
        )
    if done:
        letter.refresh_from_db()
    return done


@dataclass(frozen=True)
class Answer:
    response: str  # CarePlanLetter.Response
    text: str
    name: str
    role: str

    @property
    def signature(self) -> str:
        return f"{self.name} ({self.role})" if self.role else self.name


def respond(letter: CarePlanLetter, answer: Answer) -> bool:
    """Record the OB's clearance or concerns, once. Answering also acknowledges receipt."""
    if not letter.asks_for_answer:
        return False
    if answer.response == CarePlanLetter.Response.CONCERNS and not answer.text.strip():
        raise ValueError("Concerns need a few words saying what they are.")
    now = timezone.now()
    with transaction.atomic():
        was_acknowledged = CarePlanLetter.objects.filter(
            pk=letter.pk, acknowledged_at__isnull=False
        ).exists()
        done = _advance(
            letter,
            allowed=CarePlanLetter.AWAITING_ANSWER,
            kind=answer.response,  # the event kinds "cleared" and "concerns" match the answers
            changes={
                "status": answer.response,
                "response": answer.response,
                "response_text": answer.text.strip(),
                "responder_name": answer.name,
                "responder_role": answer.role,
                "responded_at": now,
                # Answered, the link only shows what was said, and not for long.
                "token_expires_at": Least(
                    F("token_expires_at"),
                    Value(now + timedelta(hours=settings.PERINATAL_OB_LINK_AFTER_ANSWER_HOURS)),
                ),
                "acknowledged_at": Coalesce(F("acknowledged_at"), now),
                "opened_at": Coalesce(F("opened_at"), now),
            },
            now=now,
            by_label=answer.signature,
            implied=() if was_acknowledged else (Kind.ACKNOWLEDGED,),
        )
    if done:
        letter.refresh_from_db()
    return done


def mark_reviewed(letter: CarePlanLetter, *, by) -> bool:
    """A clinician has read the OB's answer: it leaves the work queue."""
    now = timezone.now()
    with transaction.atomic():
        moved = CarePlanLetter.objects.filter(
            pk=letter.pk,
            status__in=[Status.CLEARED, Status.CONCERNS],
            reviewed_at__isnull=True,
        ).update(reviewed_at=now, reviewed_by=by)
        if not moved:
            return False
        LetterEvent.objects.create(letter=letter, kind=Kind.REVIEWED, at=now, by=by)
        record(
            Action.UPDATE,
            letter,
            patient=letter.patient_id,
            detail={"event": Kind.REVIEWED, "fields": ["reviewed_at", "reviewed_by"]},
        )
    letter.refresh_from_db()
    return True


# --- The OB's link ------------------------------------------------------------------------------


class LinkProblem:
    EXPIRED = "expired"
    REPLACED = "replaced"
    WITHDRAWN = "withdrawn"


def letter_for_link(token: str) -> tuple[CarePlanLetter | None, str]:
    """The letter a private link opens, or why it does not: (letter, "") when it opens;
    (letter, problem) for an expired link or withdrawn consent; (None, REPLACED) for a link a
    resend replaced; (None, "") for a token that never was (the caller answers 404)."""
    letter = (
        CarePlanLetter.objects.for_token(token)
        .exclude(status=Status.DRAFTED)
        .select_related("patient", "obstetrician")
        .first()
    )
    if letter is None:
        replaced = LetterEvent.objects.filter(retired_digest=digest(token)).exists()
        return None, LinkProblem.REPLACED if replaced else ""
    if letter.link_expired(timezone.now()):
        return letter, LinkProblem.EXPIRED
    if not consent_signed(letter.patient):
        return letter, LinkProblem.WITHDRAWN
    return letter, ""


# --- Reminders ----------------------------------------------------------------------------------


def remind_unanswered(now: datetime | None = None) -> int:
    """Email the clinic once per letter the OB has not answered ``ob_reminder_days`` after it
    was sent; returns how many reminders were queued.

    Each letter is claimed by a conditional UPDATE of ``reminded_at``, so two workers sweeping
    at once cannot both remind; the outbox's dedupe key is a second guard. The email says only
    that a letter waits and links to its page.
    """
    now = now or timezone.now()
    clinic = Clinic.objects.current()
    to = clinic.email or clinic.oncall_email
    if not to:
        logger.error("care-plan letters wait for an answer, but the clinic has no email address")
        return 0
    cutoff = now - timedelta(days=clinic.ob_reminder_days)
    due = CarePlanLetter.objects.unanswered_since(cutoff).filter(reminded_at__isnull=True)
    reminded = 0
    for letter in due.only("pk", "patient_id", "sent_at"):
        with transaction.atomic():
            claimed = CarePlanLetter.objects.filter(pk=letter.pk, reminded_at__isnull=True).update(
                reminded_at=now
            )
            if not claimed:
                continue
            LetterEvent.objects.create(letter=letter, kind=Kind.REMINDED, at=now)
            record(
                Action.SEND,
                letter,
                patient=letter.patient_id,
                detail={"event": Kind.REMINDED},
            )
            queue_email(
                to=to,
                template="ob_no_answer",
                context={
                    "clinic": clinic,
                    "days": clinic.ob_reminder_days,
                    "letter_url": settings.SITE_URL
                    + reverse("obcare:letter", args=[letter.public_id]),
                },
                dedupe_key=f"ob-letter-no-answer:{letter.pk}",
                about=letter,
            )
            reminded += 1
    return reminded
