"""Who may do what in the back office: one matrix, read by every staff view, API and test.

A capability names one thing a person does. A role is a set of capabilities. Views declare the
capability they need (``perinatal.accounts.access.staff_view``); nothing else decides access.
Front desk works with scheduling and contact details and never sees clinical notes or answers.
The administrator keeps accounts and configuration and sees who did what, never patient data.

A role that opens patient records the person could not open before (``needs_approval``) takes
two people: whoever keeps the staff accounts asks for it, and it works only once a medical
director other than the one who asked approves it (``perinatal.accounts.grants``). The first
director of an install is made by ``perinatal createsuperuser`` (or the demo), by someone who
already holds the server.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    MEDICAL_DIRECTOR = "director", _("Medical director")
    CLINICIAN = "clinician", _("Clinician")
    NURSE = "nurse", _("Nurse")
    FRONT_DESK = "front_desk", _("Front desk")
    ADMIN = "admin", _("Administrator")


class Can(models.TextChoices):
    """Capabilities. The value is what views and tests name."""

    # Scheduling and the front of the house
    SEE_SCHEDULE = "schedule.view", "See the day's appointments"
    MANAGE_SCHEDULE = "schedule.manage", "Confirm, move and cancel appointments"
    BOOK_INFUSION = "infusion.book", "Book an infusion from a signed plan"
    SEE_QUEUE = "queue.view", "See the work queue"
    HANDLE_CALLBACKS = "callbacks.handle", "Record a call back"
    # Patients
    FIND_PATIENTS = "patients.search", "Search patients"
    SEE_CONTACTS = "patients.contact", "See a patient's identity and contacts"
    EDIT_PATIENTS = "patients.edit", "Edit identity, contacts and obstetric status"
    MERGE_PATIENTS = "patients.merge", "Merge or keep apart suggested duplicates"
    # Clinical record
    SEE_CLINICAL = "chart.clinical", "See screens, answers, notes, letters and plans"
    WRITE_NOTES = "consult.write", "Write and sign consultation notes and addenda"
    DECIDE_ELIGIBILITY = "eligibility.decide", "Record the eligibility decision"
    CLOSE_URGENT = "urgent.close", "Close a booking's self-harm flag once she has been reached"
    # Consents
    SEND_CONSENTS = "consents.send", "Send consent forms and open them on a clinic tablet"
    # The patient's OB
    EDIT_OB_DIRECTORY = "ob.directory", "Keep the OB directory"
    SEND_OB_LETTERS = "ob.letters", "Write and send care-plan letters"
    # Treatment plan
    WRITE_PLANS = "plan.write", "Write and sign treatment plans"
    # The infusion day
    RUN_INFUSION = "infusion.run", "Check in, weigh, prepare and check doses, observe, keep vials"
    SIGN_DISCHARGE = "infusion.discharge", "Go ahead outside the start limits; sign the discharge"
    # Outcomes
    SEE_OUTCOMES = "outcomes.see", "See the clinic's outcome figures and export them"
    # Oversight and configuration
    SEE_AUDIT = "audit.view", "Search the audit log and a patient's access history"
    CONFIGURE_CLINICAL = "config.clinical", "Set eligibility items, protocols, consent texts"
    CONFIGURE_CLINIC = "config.clinic", "Set the clinic, locations, hours and chairs"
    MANAGE_STAFF = "staff.manage", "Add, deactivate and reset staff accounts"
    APPROVE_ROLES = "staff.approve", "Approve a role that opens patient records"
    # Everyone
    OWN_ACCOUNT = "account.own", "Change their own password and recovery codes"


_FRONT = {
    Can.SEE_SCHEDULE,
    Can.MANAGE_SCHEDULE,
    Can.BOOK_INFUSION,
    Can.SEE_QUEUE,
    Can.FIND_PATIENTS,
    Can.SEE_CONTACTS,
    Can.EDIT_PATIENTS,
    Can.MERGE_PATIENTS,
    Can.SEND_CONSENTS,
    Can.EDIT_OB_DIRECTORY,
}
_NURSE = _FRONT | {Can.HANDLE_CALLBACKS, Can.SEE_CLINICAL, Can.RUN_INFUSION}
_CLINICIAN = _NURSE | {
    Can.WRITE_NOTES,
    Can.DECIDE_ELIGIBILITY,
    Can.CLOSE_URGENT,
    Can.SEND_OB_LETTERS,
    Can.WRITE_PLANS,
    Can.SIGN_DISCHARGE,
    Can.SEE_OUTCOMES,
}

_EVERYONE = {Can.OWN_ACCOUNT}

MATRIX: dict[str, frozenset[str]] = {
    Role.MEDICAL_DIRECTOR: frozenset(
        _EVERYONE | _CLINICIAN | {Can.SEE_AUDIT, Can.CONFIGURE_CLINICAL, Can.APPROVE_ROLES}
    ),
    Role.CLINICIAN: frozenset(_EVERYONE | _CLINICIAN),
    Role.NURSE: frozenset(_EVERYONE | _NURSE),
    Role.FRONT_DESK: frozenset(_EVERYONE | _FRONT),
    # IT runs the system; it sees who did what, not what is in the charts.
    Role.ADMIN: frozenset(_EVERYONE | {Can.SEE_AUDIT, Can.CONFIGURE_CLINIC, Can.MANAGE_STAFF}),
}


# What makes a role need a second person's approval: it reaches patients' records.
PATIENT_RECORDS = frozenset({Can.FIND_PATIENTS, Can.SEE_CONTACTS, Can.SEE_CLINICAL})


def needs_approval(current: str, new: str) -> bool:
    """Whether moving from role ``current`` to ``new`` ("" for none) needs a director's
    approval: the new role reaches patient records and can do something the current cannot."""
    gained = MATRIX.get(new, frozenset()) - MATRIX.get(current, frozenset())
    return bool(gained) and bool(MATRIX.get(new, frozenset()) & PATIENT_RECORDS)


def capabilities(user) -> frozenset[str]:
    """What this user may do: nothing unless signed in, active and given a role."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    return MATRIX.get(getattr(user, "role", ""), frozenset())


def can(user, capability: str) -> bool:
    return capability in capabilities(user)
