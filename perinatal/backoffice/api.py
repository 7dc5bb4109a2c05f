"""Staff endpoints for patients and the work queue: /api/v1/staff/…

Signed in with both factors (the session, as the back office uses); without it 401. A person
whose role lacks the capability gets 404, as does an id that does not exist. Patients are named
by their public id; a record merged into another answers with the record kept, as the chart
does. Clinical fields are present only for staff who may see clinical data: a front desk client
receives ``"clinical": null``, never the screens.
"""

from datetime import date, datetime
from uuid import UUID

from django.http import HttpResponse
from ninja import Field, Query, Router, Schema

from perinatal.accounts.access import StaffAuth
from perinatal.accounts.roles import Can, can
from perinatal.audit.log import record
from perinatal.audit.models import Action
from perinatal.backoffice import queue as work_queue
from perinatal.lib.api_errors import ErrorOut
from perinatal.patients.access import get_patient_for
from perinatal.patients.models import IDENTITY_FIELDS, OBSTETRIC_FIELDS, Patient
from perinatal.screening.models import Screening

router = Router(tags=["staff: patients"])

ERRORS = {401: ErrorOut, 404: ErrorOut}


class StaffSearchQuery(Schema):
    q: str = Field("", max_length=120, description="Name, email, phone or date of birth.")
    limit: int = Field(25, ge=1, le=100)
    offset: int = Field(0, ge=0, le=100_000)


class StaffPatientRow(Schema):
    id: UUID = Field(description="Her public id, as in the back office's addresses.")
    name: str
    date_of_birth: date | None
    email: str
    phone: str = Field(description="E.164")
    stage: str


class StaffSearchOut(Schema):
    count: int
    results: list[StaffPatientRow]


class StaffObstetricianOut(Schema):
    name: str
    practice: str
    phone: str = ""
    fax: str = ""
    email: str = ""
    in_directory: bool = Field(description="False: as she named them when booking.")


class StaffSupportOut(Schema):
    name: str
    relation: str
    phone: str


class StaffScreenOut(Schema):
    instrument: str
    instrument_version: str
    total: int
    band: str
    safety_alert: bool = Field(description="A self-harm item was answered above zero.")
    at: datetime


class StaffClinicalOut(Schema):
    screens: list[StaffScreenOut] = Field(description="Newest first.")


class StaffPatientOut(Schema):
    id: UUID = Field(description="Her public id; the record kept if the one asked for was merged.")
    name: str
    date_of_birth: date | None
    email: str
    phone: str
    language: str
    stage: str
    due_date: date | None
    delivery_date: date | None
    delivery: str
    gestation_weeks_at_birth: int | None
    nicu_stay: bool | None
    breastfeeding: str
    obstetrician: StaffObstetricianOut | None
    support: StaffSupportOut
    clinical: StaffClinicalOut | None = Field(
        description="Only for staff who may see clinical data; null for everyone else."
    )


class StaffQueueItemOut(Schema):
    priority: int = Field(description="0 urgent, 1 to confirm, 2 unsigned consent, 3 OB letter…")
    at: datetime
    kind: str
    title: str
    detail: str
    url: str = Field(description="The page to act on it; empty when this person may not.")
    patient_id: UUID | None = Field(description="Her public id, when the item is about one.")
    badges: list[str]


def _private(response: HttpResponse) -> None:
    response.headers["Cache-Control"] = "no-store, private"


@router.get(
    "/patients",
    auth=StaffAuth(Can.FIND_PATIENTS),
    response={200: StaffSearchOut, **ERRORS},
    summary="Search patients",
)
def search_patients(request, response: HttpResponse, query: Query[StaffSearchQuery]):
    _private(response)
    found = Patient.objects.search(query.q)
    count = found.count()
    rows = [
        {
            **_fields(patient, ["name", "date_of_birth", "email", "phone", "stage"]),
            "id": patient.public_id,
        }
        for patient in found[query.offset : query.offset + query.limit]
    ]
    record(Action.SEARCH, model="patients.patient", detail={"results": count, "api": True})
    return {"count": count, "results": rows}


@router.get(
    "/patients/{public_id}",
    auth=StaffAuth(Can.SEE_CONTACTS),
    response={200: StaffPatientOut, **ERRORS},
    summary="One patient: contacts always, clinical data only for clinical staff",
)
def get_patient(request, response: HttpResponse, public_id: UUID):
    _private(response)
    patient = get_patient_for(request.user, public_id)
    clinical = None
    if can(request.user, Can.SEE_CLINICAL):
        screens = Screening.objects.filter(patient=patient).order_by("-created_at")
        clinical = {"screens": [{**_fields(s, SCREEN_FIELDS), "at": s.created_at} for s in screens]}
    record(Action.VIEW, patient, patient=patient, detail={"api": True})
    return {
        **_fields(patient, PATIENT_FIELDS),
        "id": patient.public_id,
        "obstetrician": _obstetrician(patient),
        "support": {
            "name": patient.support_name,
            "relation": patient.support_relation,
            "phone": patient.support_phone,
        },
        "clinical": clinical,
    }


PATIENT_FIELDS = [*IDENTITY_FIELDS, *OBSTETRIC_FIELDS]
SCREEN_FIELDS = ["instrument", "instrument_version", "total", "band", "safety_alert"]


def _fields(obj, names: list[str]) -> dict:
    return {name: getattr(obj, name) for name in names}


def _obstetrician(patient: Patient) -> dict | None:
    her_ob = getattr(patient, "ob", None)  # kept by obcare; none until she names an OB
    if her_ob is None:
        return None
    ob = her_ob.obstetrician
    if ob is not None:
        return {
            "name": ob.name,
            "practice": ob.practice,
            "phone": ob.phone,
            "fax": ob.fax,
            "email": ob.email,
            "in_directory": True,
        }
    if her_ob.name_given or her_ob.practice_given:
        return {
            "name": her_ob.name_given,
            "practice": her_ob.practice_given,
            "in_directory": False,
        }
    return None


@router.get(
    "/queue",
    auth=StaffAuth(Can.SEE_QUEUE),
    response={200: list[StaffQueueItemOut], **ERRORS},
    summary="The work queue, most pressing first",
)
def get_queue(request, response: HttpResponse):
    _private(response)
    items = work_queue.items_for(request.user)
    record(Action.VIEW, model="patients.queue", detail={"rows": len(items), "api": True})
    return [
        {
            "priority": item.priority,
            "at": item.at,
            "kind": item.kind,
            "title": item.title,
            "detail": item.detail,
            "url": item.url,
            "patient_id": item.patient_public_id,
            "badges": list(item.badges),
        }
        for item in items
    ]
