"""Outcome dashboard benchmark: the full-year report on a large clinic, on PostgreSQL.

    uv run python bench/outcomes.py [--patients 100000] [--results 1000000] [--infusions 10000]

Creates a fresh PostgreSQL database, migrates it, loads the demo clinic, then seeds in bulk:
``--patients`` patients, ``--infusions`` infusions given over the past year (each with its plan,
appointment, session, the tablet questionnaire before the start and a follow-up questionnaire
for every day of the default schedule that has come, most answered, some missed, the latest
still open), side effects on some, and questionnaire results spread over every patient until
``--results`` in all.

Then builds the report for the last twelve months, as the dashboard does (``--repeat`` times,
after one warm-up), and reports: the best and median time, the ratio to reading the year's
infusion rows alone (measured in the same run, so the ratio is what a change to the report
moves), the number of queries (which must not grow with the cohort: it is counted again on a
tenth of the year), and the query plan of the slowest query (EXPLAIN ANALYZE). The target is a
full-year view under one second on this machine. Missed targets do not change the exit code.
"""

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from time import perf_counter

import psycopg
from psycopg import sql

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import run

DB_NAME = "perinatal_bench_outcomes"
TARGET_S = 1.0
RNG = random.Random(20261205)


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--patients", type=int, default=100_000)
    p.add_argument("--results", type=int, default=1_000_000)
    p.add_argument("--infusions", type=int, default=10_000)
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    p.add_argument("--keep", action="store_true", help="keep the database afterwards")
    p.add_argument(
        "--output",
        type=Path,
        default=run.BENCH / "results" / f"outcomes-{datetime.now():%Y%m%d-%H%M%S}.json",
    )
    p.add_argument("--in-process", action="store_true", help=argparse.SUPPRESS)
    return p.parse_args()


def recreate_database(pg: str, drop_only: bool = False) -> None:
    with psycopg.connect(f"{pg}/postgres", autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(DB_NAME))
        )
        if not drop_only:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DB_NAME)))


# --- Seeding (in the child process, with Django set up on the bench database) -------------------


def _epds_scored(total: int):
    from perinatal.screening.instruments import get_instrument

    epds = get_instrument("epds", "en")
    positions, left = [], total
    for item in epds.items:
        want = 0 if item.safety else min(left, 3)
        left -= want
        positions.append(next(n for n, o in enumerate(item.options) if o.score == want))
    return epds.score(positions)


def _screening(patient_id: int, total: int, at: datetime, channel: str):
    from perinatal.screening.models import Screening

    scored = SCORED[total]
    return Screening(
        instrument="epds",
        instrument_version=scored.instrument.version,
        language="en",
        answers=scored.answer_record(),
        item_scores=list(scored.item_scores),
        total=total,
        band=scored.band.code,
        safety_alert=False,
        channel=channel,
        patient_id=patient_id,
        created_at=at,
    )


SCORED: dict = {}


def seed(patients: int, results: int, infusions: int) -> dict:
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.utils import timezone

    from bench.backoffice_fixture import _appointment
    from perinatal.booking.models import Appointment, Clinician
    from perinatal.clinic.models import Location
    from perinatal.followup.models import FollowUp
    from perinatal.infusion.models import AdverseEvent, InfusionSession
    from perinatal.patients.models import Patient
    from perinatal.plans.models import FollowUpSchedule, InfusionChair, Protocol, TreatmentPlan
    from perinatal.screening.models import Screening

    SCORED.update({total: _epds_scored(total) for total in range(28)})
    now = timezone.now().replace(microsecond=0)
    protocol = Protocol.objects.default()
    schedule = FollowUpSchedule.objects.filter(is_default=True).first()
    days = [d for d in schedule.days if d >= 1]
    User = get_user_model()
    staff = User.objects.get(username="clinician")
    nurse = User.objects.get(username="nurse")
    location = Location.objects.order_by("pk").first()
    lanes = 24  # a clinician and a chair each, so no two infusions overlap
    visit = protocol.visit_type
    step = timedelta(minutes=visit.duration_minutes + 15)
    with transaction.atomic():
        clinicians = [Clinician.objects.create(name=f"Bench Doctor {n}") for n in range(lanes)]
        for clinician in clinicians:
            clinician.locations.add(location)
        chairs = [
            InfusionChair.objects.create(location=location, name=f"Bench chair {n}")
            for n in range(lanes)
        ]
        made = Patient.objects.bulk_create(
            (
                Patient(
                    name=f"Bench Mother {n:06d}",
                    email=f"mother{n:06d}@example.org",
                    phone=f"+1617555{n % 10000:04d}",
                    stage="postpartum",
                    delivery_date=(now - timedelta(days=RNG.randint(20, 700))).date(),
                    breastfeeding=RNG.choice(["yes", "no", ""]),
                )
                for n in range(patients)
            ),
            batch_size=5000,
        )
        ids = [p.pk for p in made]
        infused = made[:infusions]
        # Infusions over the past year: lane n % lanes, three a day per lane, one after another.
        per_day = lanes * 3
        busy_days = -(-infusions // per_day)
        starts = []
        for n in range(infusions):
            days_ago = 364 - (n // per_day) * 364 // busy_days
            slot = (n % per_day) // lanes
            midnight = datetime.combine((now - timedelta(days=days_ago)).date(), time(), UTC)
            starts.append(midnight + timedelta(hours=11) + slot * step)
        plans = TreatmentPlan.objects.bulk_create(
            (
                TreatmentPlan(
                    patient=patient,
                    status="signed",
                    protocol=protocol,
                    dose_mg_per_kg=protocol.dose_mg_per_kg,
                    infusion_minutes=protocol.minutes,
                    weight_kg=Decimal("68.0"),
                    dose_mg=Decimal("34.0"),
                    timing="postpartum",
                    lactation=RNG.choice(["none", "continue", "discard"]),
                    discard_hours=12,
                    escort_confirmed=True,
                    escort_name="Bench Escort",
                    escort_phone="+16175550199",
                    childcare_confirmed=True,
                    childcare_by="Family",
                    follow_up=schedule,
                    created_by=staff,
                    signed_by=staff,
                    signed_at=start - timedelta(days=10),
                )
                for patient, start in zip(infused, starts, strict=True)
            ),
            batch_size=2000,
        )
        appointments = Appointment.objects.bulk_create(
            (
                _appointment(
                    patient,
                    clinicians[n % lanes],
                    visit,
                    location,
                    start,
                    confirmed_at=start - timedelta(days=2),
                    plan=plan,
                    chair=chairs[n % lanes],
                )
                for n, (patient, plan, start) in enumerate(zip(infused, plans, starts, strict=True))
            ),
            batch_size=2000,
        )
        sessions = InfusionSession.objects.bulk_create(
            (
                InfusionSession(
                    appointment=appointment,
                    patient_id=appointment.patient_id,
                    plan=plan,
                    checked_in_at=start - timedelta(minutes=30),
                    checked_in_by=nurse,
                    identity_confirmed=True,
                    escort_name="Bench Escort",
                    escort_phone="+16175550199",
                    childcare_by="Family",
                    fasted=True,
                    pregnancy="not_pregnant",
                    breastfeeding_read_back=True,
                    weight_kg=Decimal("68.0"),
                    dose_mg_per_kg=plan.dose_mg_per_kg,
                    dose_mg=Decimal("34.0"),
                    concentration_mg_per_ml=Decimal("10"),
                    volume_ml=Decimal("3.40"),
                    infusion_minutes=40,
                    rate_ml_per_hour=Decimal("5.1"),
                    prepared_by=nurse,
                    prepared_at=start - timedelta(minutes=15),
                    verified_by=staff,
                    verified_at=start - timedelta(minutes=10),
                    started_at=start,
                    stopped_at=start + timedelta(minutes=40),
                    escort_at_discharge="Bench Escort",
                    discharged_at=start + timedelta(minutes=170),
                    discharged_by=staff,
                )
                for appointment, plan, start in zip(appointments, plans, starts, strict=True)
            ),
            batch_size=2000,
        )
        # The day's questionnaire before the start (her baseline), then each follow-up.
        screens, follow_ups, answered_for = [], [], []
        for session, start in zip(sessions, starts, strict=True):
            baseline = RNG.randint(12, 27)
            screens.append(
                _screening(session.patient_id, baseline, start - timedelta(minutes=20), "clinic")
            )
            level = baseline
            for day in days:
                opens = start + timedelta(days=day)
                if opens > now:
                    break
                level = max(0, min(27, level - RNG.randint(-2, 5)))
                closes = opens + timedelta(days=3)
                fate = RNG.random()
                status = "answered" if fate < 0.8 or closes > now else "missed"
                if closes > now and fate >= 0.8:
                    status = "sent"
                follow_ups.append(
                    FollowUp(
                        patient_id=session.patient_id,
                        session=session,
                        anchor="infusion",
                        offset=day,
                        day=day,
                        instrument="epds",
                        language="en",
                        time_zone="America/New_York",
                        opens_at=opens,
                        closes_at=closes,
                        status=status,
                        sent_at=opens,
                        answered_at=opens + timedelta(hours=5) if status == "answered" else None,
                        closed_at=closes if status == "missed" else None,
                    )
                )
                if status == "answered":
                    answered_for.append((len(follow_ups) - 1, session.patient_id, level, opens))
        follow_up_screens = [
            _screening(patient_id, level, opens + timedelta(hours=5), "followup")
            for _, patient_id, level, opens in answered_for
        ]
        Screening.objects.bulk_create(screens + follow_up_screens, batch_size=5000)
        for (index, *_), screen in zip(answered_for, follow_up_screens, strict=True):
            follow_ups[index].screening = screen
        FollowUp.objects.bulk_create(follow_ups, batch_size=5000)
        AdverseEvent.objects.bulk_create(
            (
                AdverseEvent(
                    session=session,
                    kind=RNG.choice(["nausea", "headache", "high_bp"]),
                    at=start + timedelta(minutes=15),
                    action="Bench action",
                    resolved_at=start + timedelta(minutes=RNG.randint(20, 90)),
                    recorded_by=nurse,
                )
                for session, start in zip(sessions, starts, strict=True)
                if RNG.random() < 0.3
            ),
            batch_size=5000,
        )
        # The rest of the questionnaire results, spread over every patient.
        left = results - Screening.objects.count()
        batch = []
        for n in range(max(0, left)):
            batch.append(
                _screening(
                    ids[n % len(ids)],
                    RNG.randint(0, 27),
                    now - timedelta(days=RNG.randint(0, 720), minutes=n % 1440),
                    "web",
                )
            )
            if len(batch) == 10_000:
                Screening.objects.bulk_create(batch)
                batch = []
        Screening.objects.bulk_create(batch)
    # What autovacuum would have done by now on a real database: fresh statistics, without
    # which the planner guesses at a million-row table it has never looked at.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        "patients": Patient.objects.count(),
        "results": Screening.objects.count(),
        "infusions": InfusionSession.objects.count(),
        "follow_ups": FollowUp.objects.count(),
    }


def measure(repeat: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from perinatal.outcomes import report
    from perinatal.outcomes.cohort import Window, infusions

    today = timezone.localdate()
    year = Window(today - timedelta(days=365), today)
    tenth = Window(today - timedelta(days=36), today)

    def timed(fn) -> list[float]:
        fn()  # warm-up
        found = []
        for _ in range(repeat):
            began = perf_counter()
            fn()
            found.append(perf_counter() - began)
        return found

    def rows_alone():
        return list(infusions(year).values_list("pk", "started_at"))

    report_times = timed(lambda: report.build(year, "epds"))
    baseline_times = timed(rows_alone)
    with CaptureQueriesContext(connection) as captured:
        built = report.build(year, "epds")
    with CaptureQueriesContext(connection) as small:
        report.build(tenth, "epds")
    slowest = {"ms": 0.0, "sql": "", "plan": ""}
    with connection.cursor() as cursor:
        for query in captured.captured_queries:
            began = perf_counter()
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
            plan = "\n".join(row[0] for row in cursor.fetchall())
            elapsed = (perf_counter() - began) * 1000
            if elapsed > slowest["ms"]:
                slowest = {"ms": round(elapsed, 1), "sql": query["sql"], "plan": plan}
    best, median = min(report_times), statistics.median(report_times)
    return {
        "infusions_in_year": built.overall.infusions,
        "report_best_s": round(best, 3),
        "report_median_s": round(median, 3),
        "rows_alone_best_s": round(min(baseline_times), 4),
        "ratio_to_rows_alone": round(best / min(baseline_times), 1),
        "queries_year": len(captured),
        "queries_tenth": len(small),
        "slowest_query": slowest,
    }


def in_process(args) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    began = perf_counter()
    seeded = seed(args.patients, args.results, args.infusions)
    seeded["seconds"] = round(perf_counter() - began)
    print(json.dumps({"seeded": seeded, **measure(args.repeat)}))
    return 0


def main() -> int:
    args = parse_args()
    if args.in_process:
        return in_process(args)
    var_dir = Path(tempfile.mkdtemp(prefix="perinatal-bench-outcomes-"))
    env = run.server_env(f"{args.pg}/{DB_NAME}", var_dir)
    recreate_database(args.pg)
    try:
        print(f"Creating database {DB_NAME}, migrating, loading the demo clinic...", flush=True)
        run.manage(env, "migrate", "--no-input", "--verbosity", "0")
        run.manage(env, "demo")
        print(
            f"Seeding {args.patients} patients, {args.infusions} infusions and "
            f"{args.results} questionnaire results, then building the report...",
            flush=True,
        )
        child = subprocess.run(
            [sys.executable, __file__, "--in-process", "--patients", str(args.patients),
             "--results", str(args.results), "--infusions", str(args.infusions),
             "--repeat", str(args.repeat)],
            env=env, capture_output=True, text=True, check=False,
        )  # fmt: skip
        if child.returncode:
            print(child.stdout, child.stderr, file=sys.stderr)
            return 3
        found = json.loads(child.stdout.strip().splitlines()[-1])
    finally:
        if not args.keep:
            recreate_database(args.pg, drop_only=True)
    seeded = found["seeded"]
    print(
        f"\nSeeded in {seeded['seconds']} s: {seeded['patients']} patients, {seeded['results']} "
        f"questionnaire results, {seeded['infusions']} infusions, {seeded['follow_ups']} "
        "follow-ups."
    )
    print(
        f"Full-year report ({found['infusions_in_year']} infusions): best "
        f"{found['report_best_s']} s, median {found['report_median_s']} s; reading the year's "
        f"infusion rows alone {found['rows_alone_best_s']} s (ratio "
        f"{found['ratio_to_rows_alone']}x)."
    )
    ok_time = found["report_best_s"] < TARGET_S
    ok_queries = found["queries_year"] == found["queries_tenth"]
    print(f"{'PASS' if ok_time else 'FAIL'}  full-year view under {TARGET_S} s")
    print(
        f"{'PASS' if ok_queries else 'FAIL'}  queries do not grow with the cohort "
        f"({found['queries_year']} for a year, {found['queries_tenth']} for five weeks)"
    )
    slowest = found["slowest_query"]
    print(f"\nSlowest query ({slowest['ms']} ms under EXPLAIN ANALYZE):\n{slowest['sql']}\n")
    print(slowest["plan"])
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(found, indent=2))
    print(f"\nWrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
