"""Set up the bench database so the booking bench measures real, successful bookings.

    python -m bench.booking_fixture policy
    python -m bench.booking_fixture create --bookings N --out FILE

Run by bench/run.py with the bench settings (``DJANGO_SETTINGS_MODULE=bench.settings``) against
the throw-away bench database; see bench/README.md ("The booking bench").

``policy`` (before the server starts) raises the clinic's booking horizon to ten years. Nothing
measured for the demo clinic reaches that far: the slots API asks for 7 days and the times page
stops at the fifth day with a free time. The clinic is cached for a minute in each server
process, so this cannot wait until the server runs.

``create`` (just before the booking endpoint is loaded) adds a consultation type shaped like the
demo's video consultation, with clinicians of its own: as many as the demo has, at the same
locations, with the same weekly hours. Only two things differ: it lasts exactly one slot step
and has no buffer, so one booking never blocks the next start time of the same clinician, and
its calendar is empty. Then it writes every free start time, as UTC, one a line, to ``--out``:
each start repeated once for every clinician free at it (the API assigns one of them, least busy
first), in blocks of 64 distinct starts so that the repeats of a start are far apart in the
order wrk sends them. A list of N lines gives N requests that can each book a slot, and the
slot search per request costs what it costs for the demo's own video consultation.
"""

import argparse
import json
import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

HORIZON_DAYS = 3650
SLUG = "bench-booking"
BLOCK = 64  # distinct starts per block; more than the connections wrk keeps open
DEMO_SLUG = "free-video-consultation"


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import django

    django.setup()


def policy() -> dict:
    from perinatal.clinic.models import Clinic

    clinic = Clinic.objects.get(is_current=True)
    clinic.horizon_days = HORIZON_DAYS
    clinic.save(update_fields=["horizon_days"])
    return {"horizon_days": HORIZON_DAYS}


def create(bookings: int, out: Path) -> dict:
    from django.conf import settings
    from django.db import transaction
    from django.utils import timezone

    from perinatal.booking.models import Clinician, ConsultationType, WeeklyHours
    from perinatal.booking.slots import Policy, find_slots
    from perinatal.clinic.models import Clinic
    from perinatal.ops.demo.booking import BLOCKS, DEMO_CLINICIANS, WORKDAYS

    clinic = Clinic.objects.get(is_current=True)
    rules = Policy.of(clinic)
    demo = ConsultationType.objects.get(slug=DEMO_SLUG)
    locations = {location.name: location for location in clinic.locations.all()}
    with transaction.atomic():
        consultation = ConsultationType.objects.create(
            slug=SLUG,
            name="Bench booking (load test only)",
            mode=demo.mode,
            duration_minutes=int(rules.step.total_seconds() // 60),
            buffer_minutes=0,
            order=99,
        )
        for n, (_name, location_name) in enumerate(DEMO_CLINICIANS, 1):
            location = locations[location_name]
            clinician = Clinician.objects.create(name=f"Bench clinician {n} ({location_name})")
            clinician.locations.add(location)
            clinician.consultation_types.add(consultation)
            WeeklyHours.objects.bulk_create(
                WeeklyHours(
                    clinician=clinician, location=location, weekday=day, starts=starts, ends=ends
                )
                for day in WORKDAYS
                for starts, ends in BLOCKS
            )

    # An hour past the minimum notice, so no start falls inside it while the bench runs, and past
    # the earliest reminder, so every booking queues all of its reminders.
    now = timezone.now()
    reminders = timedelta(hours=max(settings.PERINATAL_REMINDER_HOURS, default=0))
    cursor = now + max(rules.min_notice, reminders) + timedelta(hours=1)
    limit = now + rules.horizon
    lines: list[str] = []
    distinct = 0
    while len(lines) < bookings and cursor < limit:
        window_end = min(cursor + timedelta(days=28), limit)
        slots = find_slots(consultation, start=cursor, end=window_end)
        for i in range(0, len(slots), BLOCK):
            block = slots[i : i + BLOCK]
            distinct += len(block)
            for repeat in range(max(len(s.options) for s in block)):
                lines += [
                    s.start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
                    for s in block
                    if len(s.options) > repeat
                ]
        cursor = window_end
    out.write_text("\n".join(lines) + "\n")
    return {
        "type": SLUG,
        "clinicians": len(DEMO_CLINICIANS),
        "duration_minutes": consultation.duration_minutes,
        "buffer_minutes": 0,
        "bookable": len(lines),
        "distinct_starts": distinct,
        "first_start": lines[0] if lines else None,
        "last_start": lines[-1] if lines else None,
        "wanted": bookings,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("policy", help="raise the booking horizon (before the server starts)")
    c = sub.add_parser("create", help="bench consultation type, clinicians, list of free starts")
    c.add_argument("--bookings", type=int, required=True, help="how many bookable lines to list")
    c.add_argument("--out", type=Path, required=True)
    args = p.parse_args()
    setup_django()
    result = policy() if args.command == "policy" else create(args.bookings, args.out)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
