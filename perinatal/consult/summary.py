"""What other apps may read of a patient's consultations: the latest signed decision, and the
paragraphs a care-plan letter to her OB quotes from it.

Only signed records count: a draft may still change, so a letter or a plan never quotes one.

    from perinatal.consult.summary import for_letter, latest_decision

    decision = latest_decision(patient)   # EligibilityAssessment or None
    if decision and decision.decision == decision.Decision.NEEDS_OB_CLEARANCE: ...
    for heading, text in for_letter(patient): ...
"""

from django.utils import timezone
from django.utils.dateformat import format as format_date

from perinatal.consult.models import EligibilityAssessment

_LETTER_DECISION: dict[str, str] = {
    EligibilityAssessment.Decision.ELIGIBLE: "Eligible for a single IV ketamine infusion.",
    EligibilityAssessment.Decision.NOT_ELIGIBLE: "Not eligible for IV ketamine at this time.",
    EligibilityAssessment.Decision.NEEDS_OB_CLEARANCE: (
        "Eligible for IV ketamine once her obstetric provider has cleared it."
    ),
    EligibilityAssessment.Decision.DEFERRED: "Decision deferred: she will be seen again.",
}


def _day(moment) -> str:
    return format_date(timezone.localtime(moment), "F j, Y")


def _person(user) -> str:
    return user.get_full_name() or user.get_username()


def latest_decision(patient) -> EligibilityAssessment | None:
    """The newest signed eligibility decision for ``patient``, with its note, else None.

    Its ``decision`` is one of ``EligibilityAssessment.Decision``; ``reasons``, ``decided_at``,
    ``decided_by``, ``present_cautions`` and ``note`` (the signed consultation) go with it.
    """
    return (
        EligibilityAssessment.objects.filter(note__patient=patient, decided_at__isnull=False)
        .select_related("note", "note__signed_by", "decided_by")
        .order_by("-decided_at", "-id")
        .first()
    )


def for_letter(patient) -> list[tuple[str, str]]:
    """(heading, plain text) paragraphs from the latest signed consultation, for a letter to her
    OB; [] when nothing is signed. Addenda written since are included: a letter must not quote
    a note without its corrections."""
    assessment = latest_decision(patient)
    if assessment is None:
        return []
    note = assessment.note
    signer = note.signed_by
    sections = [
        (
            "Consultation",
            f"Seen on {_day(note.created_at)}; note signed by {_person(signer)} on "
            f"{_day(note.signed_at)}.",
        ),
        ("Eligibility decision", _LETTER_DECISION[assessment.decision]),
        ("Reasons", assessment.reasons.strip()),
    ]
    cautions = assessment.present_cautions
    if cautions:
        sections.append(
            (
                "Cautions noted",
                "\n".join(f"{a['text']}: {a['reason'].strip()}" for a in cautions),
            )
        )
    stops = assessment.present_hard_stops
    if stops:
        sections.append(("Hard stops present", "\n".join(a["text"] for a in stops)))
    flags = note.flags()
    if flags:
        sections.append(
            (
                "Medications that interact with ketamine",
                "\n".join(f"{f.line} ({f.drug}, {f.severity_label})" for f in flags),
            )
        )
    if note.blood_pressure:
        sections.append(("Blood pressure at the consultation", note.blood_pressure))
    history = "; ".join(
        f"{label}: {shown}"
        for label, value, shown in (
            ("Hypertension", note.hypertension_history, note.get_hypertension_history_display()),
            (
                "Pre-eclampsia or eclampsia",
                note.preeclampsia_history,
                note.get_preeclampsia_history_display(),
            ),
        )
        if value
    )
    if history:
        sections.append(("Blood pressure history", history))
    if note.breastfeeding_plan.strip():
        sections.append(("Breastfeeding plan", note.breastfeeding_plan.strip()))
    if note.clinical_summary.strip():
        sections.append(("Clinical summary", note.clinical_summary.strip()))
    addenda = list(note.addenda.select_related("author"))
    if addenda:
        sections.append(
            (
                "Addenda",
                "\n\n".join(
                    f"{_day(a.signed_at)}, {_person(a.author)}: {a.text.strip()}" for a in addenda
                ),
            )
        )
    return sections
