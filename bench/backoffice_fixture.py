"""Seed the bench database with a clinic's worth of records and sign in a clinician.

    python -m bench.backoffice_fixture seed --patients 10000 --results 100000
    python -m bench.backoffice_fixture queries

Run by bench/backoffice.py with the bench settings against the throw-away bench database; see
bench/README.md ("The back-office bench").

``seed`` writes, in bulk: patients (a third pregnant, the rest after the birth), questionnaire
results spread over them (EPDS totals with their real bands, some with a self-harm answer),
one past consultation each, this week's appointments (some not yet confirmed, a few urgent),
open call-back requests and merge suggestions, so that the work queue has every kind of item.
It then makes a clinician with a confirmed authenticator and a signed-in session with both
factors, and prints JSON: the session cookie and the ids of a typical patient and of the one
with the most results.

``queries`` counts the database queries of each measured page for a patient with one result and
for the one with the most, through Django's test client in this process, and prints JSON.
"""

import argparse
import json
import os
import random
import sys
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

RNG = random.Random(20261125)


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import django

    django.setup()


def _appointment(patient, clinician, ctype, location, start, **fields):
    from perinatal.booking.models import Appointment

    end = start + timedelta(minutes=ctype.duration_minutes)
    return Appointment(
        via="web",
        clinician=clinician,
        consultation_type=ctype,
        location=location,
        clinician_name=clinician.name,
        type_name=ctype.name,
        mode=ctype.mode,
        duration_minutes=ctype.duration_minutes,
        buffer_minutes=0,
        location_name=location.name,
        time_zone=location.time_zone,
        starts_at=start,
        ends_at=end,
        blocked_until=end,
        name=patient.name,
        email=patient.email,
        phone=patient.phone,
        language=patient.language,
        stage=patient.stage,
        key_date=patient.key_date,
        contact_consent_at=start - timedelta(days=3),
        contact_consent_text="Bench consent.",
        patient=patient,
        **fields,
    )


def seed(patients: int, results: int) -> dict:
    from django.conf import settings
    from django.db import transaction
    from django.utils import timezone

    from perinatal.booking.models import Appointment, Clinician, ConsultationType
    from perinatal.patients.models import MergeSuggestion, Patient
    from perinatal.screening.instruments import get_instrument
    from perinatal.screening.models import CallbackRequest, Screening
    from tests.harness import make_staff, signed_in_session_key

    now = timezone.now()
    epds = get_instrument("epds", "en")
    with transaction.atomic():
        rows = []
        for n in range(patients):
            pregnant = n % 3 == 0
            key = (now + timedelta(days=RNG.randint(5, 150))).date() if pregnant else None
            born = None if pregnant else (now - timedelta(days=RNG.randint(3, 300))).date()
            rows.append(
                Patient(
                    name=f"Bench Patient {n:05d}",
                    email=f"patient{n:05d}@example.org",
                    phone=f"+1617555{n % 10000:04d}",
                    stage="pregnant" if pregnant else "postpartum",
                    due_date=key,
                    delivery_date=born,
                    breastfeeding=RNG.choice(["", "yes", "partly", "no"]),
                )
            )
        created = Patient.objects.bulk_create(rows, batch_size=2000)
        ids = [p.pk for p in created]

        # Results: every patient gets at least one; the rest fall at random, and one patient gets
        # many, the chart's worst case.
        heavy = ids[len(ids) // 2]
        owners = (
            ids + [heavy] * min(200, results) + RNG.choices(ids, k=max(0, results - len(ids) - 200))
        )
        screenings = []
        for i, owner in enumerate(owners[:results]):
            positions = [RNG.randint(0, 3) for _ in epds.items]
            scored = epds.score(positions)
            screenings.append(
                Screening(
                    instrument=epds.code,
                    instrument_version=epds.version,
                    language="en",
                    answers=scored.answer_record(),
                    item_scores=list(scored.item_scores),
                    total=scored.total,
                    band=scored.band.code,
                    safety_alert=scored.safety_alert,
                    channel="web",
                    patient_id=owner,
                    created_at=now - timedelta(days=RNG.randint(0, 720), minutes=i % 1440),
                )
            )
        Screening.objects.bulk_create(screenings, batch_size=5000)

        # One past consultation each, back to back per clinician so none overlap.
        clinicians = list(Clinician.objects.prefetch_related("locations"))
        ctype = ConsultationType.objects.order_by("order").first()
        appointments = []
        for n, patient in enumerate(created):
            clinician = clinicians[n % len(clinicians)]
            slot = n // len(clinicians)
            start = (now - timedelta(days=730)).replace(second=0, microsecond=0) + timedelta(
                minutes=45 * slot
            )
            appointments.append(
                _appointment(
                    patient,
                    clinician,
                    ctype,
                    clinician.locations.all()[0],
                    start,
                    confirmed_at=start - timedelta(days=1),
                )
            )
        # This week: 8 a day per clinician, every third unconfirmed, a few urgent.
        today = now.astimezone(UTC).date()
        for day in range(7):
            for clinician in clinicians:
                for k in range(8):
                    patient = created[RNG.randrange(len(created))]
                    start = datetime.combine(
                        today + timedelta(days=day), time(13), UTC
                    ) + timedelta(minutes=45 * k)
                    appointments.append(
                        _appointment(
                            patient,
                            clinician,
                            ctype,
                            clinician.locations.all()[0],
                            start,
                            confirmed_at=None if k % 3 == 0 else start - timedelta(days=1),
                            urgent=k == 5 and day % 2 == 0,
                        )
                    )
        # ON CONFLICT DO NOTHING: a slot the demo clinic holds already (its patients are dated
        # from the day the demo was loaded) stays the demo's.
        Appointment.objects.bulk_create(appointments, batch_size=2000, ignore_conflicts=True)

        CallbackRequest.objects.bulk_create(
            CallbackRequest(
                first_name=f"Caller{n}",
                phone=f"+1617555{n:04d}",
                language="en",
                urgent=n % 4 == 0,
                created_at=now - timedelta(hours=n),
            )
            for n in range(40)
        )
        MergeSuggestion.objects.bulk_create(
            MergeSuggestion(patient_id=ids[n], candidate_id=ids[n + 1], reason="phone")
            for n in range(0, 60, 2)
        )
        user = make_staff("clinician", "bench-clinician")

    session = f"{settings.SESSION_COOKIE_NAME}={signed_in_session_key(user)}"
    typical = Screening.objects.filter(patient_id=ids[1]).count()
    return {
        "patients": len(ids),
        "results": Screening.objects.count(),
        "appointments": Appointment.objects.count(),
        "session_cookie": session,
        "typical_patient": str(Patient.objects.get(pk=ids[1]).public_id),
        "typical_results": typical,
        "heavy_patient": str(Patient.objects.get(pk=heavy).public_id),
        "heavy_results": Screening.objects.filter(patient_id=heavy).count(),
    }


PAGES = {"staff home": "/staff/", "work queue": "/staff/queue/"}


def chart_path(public_id: str) -> str:
    return f"/staff/patients/{public_id}/"


def queries() -> dict:
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from perinatal.accounts.models import User
    from perinatal.screening.models import Screening
    from tests.harness import sign_in

    client = sign_in(Client(HTTP_HOST="127.0.0.1"), User.objects.get(username="bench-clinician"))
    counts = {}
    per_patient = (
        Screening.objects.filter(patient__isnull=False)
        .values("patient__public_id")
        .order_by()
        .annotate(n=Count("id"))
    )
    light = per_patient.filter(n=1).first() or per_patient.order_by("n").first()
    heavy = per_patient.order_by("-n").first()
    targets = {**PAGES}
    targets[f"chart, {light['n']} result"] = chart_path(light["patient__public_id"])
    targets[f"chart, {heavy['n']} results"] = chart_path(heavy["patient__public_id"])
    for name, path in targets.items():
        client.get(path)  # warm caches, as a running server would be
        with CaptureQueriesContext(connection) as captured:
            status = client.get(path).status_code
        counts[name] = {"path": path, "status": status, "queries": len(captured)}
    return counts


def main() -> None:
    setup_django()
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("seed")
    s.add_argument("--patients", type=int, default=10_000)
    s.add_argument("--results", type=int, default=100_000)
    sub.add_parser("queries")
    args = parser.parse_args()
    if args.command == "seed":
        print(json.dumps(seed(args.patients, args.results)))
    else:
        print(json.dumps(queries()))


if __name__ == "__main__":
    main()
