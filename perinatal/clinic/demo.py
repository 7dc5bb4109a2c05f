"""The demo clinic a fresh clone runs: fictional, with two locations in different US zones."""

import secrets
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction

from perinatal.clinic.models import Clinic, Location

DEMO_STAFF_USERNAME = "demo-staff"

DEMO_LOCATIONS = [
    {
        "name": "Boston — Back Bay",
        "address": "100 Example Street, Suite 4\nBoston, MA 02116",
        "time_zone": "America/New_York",
        "phone": "+1 617 555 0142",
    },
    {
        "name": "Denver — Cherry Creek",
        "address": "200 Sample Avenue, Floor 2\nDenver, CO 80206",
        "time_zone": "America/Denver",
        "phone": "+1 303 555 0187",
    },
]


DEMO_NAME = "Harbor Perinatal Mental Health (demo)"


@transaction.atomic
def load_demo_clinic() -> tuple[Clinic, bool]:
    """Create the demo clinic unless a clinic already exists; safe to call on every start.

    The demo clinic also gets demo clinicians and hours to book (once); a real clinic is
    never given demo data.
    """
    from perinatal.booking.demo import load_demo_booking

    existing = Clinic.objects.filter(is_current=True).first()
    if existing:
        if existing.name == DEMO_NAME:
            load_demo_booking(existing)
        return existing, False
    clinic = Clinic.objects.create(
        name=DEMO_NAME,
        tagline="Care for mothers before and after birth",
        phone="+1 617 555 0100",
        email="hello@example.org",
        oncall_email="oncall@example.org",
        address="100 Example Street, Suite 4\nBoston, MA 02116",
        hours="Monday to Friday, 8 am to 6 pm",
    )
    for location in DEMO_LOCATIONS:
        Location.objects.create(clinic=clinic, **location)
    load_demo_booking(clinic)
    return clinic, True


def ensure_demo_staff(password_file: Path) -> tuple[str, str]:
    """A staff account for trying the demo; its password is random per checkout, kept in var/."""
    password_file.parent.mkdir(parents=True, exist_ok=True)
    if not password_file.exists():
        password_file.write_text(secrets.token_urlsafe(12))
        password_file.chmod(0o600)
    password = password_file.read_text().strip()
    User = get_user_model()
    user, _ = User.objects.get_or_create(
        username=DEMO_STAFF_USERNAME,
        defaults={
            "first_name": "Demo",
            "last_name": "Staff",
            "is_staff": True,
            "is_superuser": True,
        },
    )
    if not user.check_password(password):
        user.set_password(password)
        user.save(update_fields=["password"])
    return DEMO_STAFF_USERNAME, password
