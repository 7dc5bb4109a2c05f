"""The demo clinic a fresh clone runs: fictional, with two locations in different US zones."""

from pathlib import Path

from django.core.files import File
from django.db import transaction

from perinatal.clinic.models import Clinic, Location
from perinatal.ops.demo import consents, obcare, plans
from perinatal.ops.demo.booking import load_demo_booking

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
DEMO_HOURS = {
    "hours": "Monday to Friday, 8 am to 6 pm",
    "hours_es": "De lunes a viernes, de 8 a 18 h",
}

DEMO_LOGO = Path(__file__).with_name("demo-logo.svg")
DEMO_LOGO_NAME = "clinic/harbor-demo-logo.svg"


@transaction.atomic
def load_demo_clinic() -> tuple[Clinic, bool]:
    """Create the demo clinic unless a clinic already exists; safe to call on every start.

    The demo clinic also gets demo clinicians and hours to book (once); a real clinic is
    never given demo data.
    """
    existing = Clinic.objects.filter(is_current=True).first()
    if existing:
        if existing.name == DEMO_NAME:
            if not existing.hours_es:  # a demo created before the hours had a Spanish version
                for field, text in DEMO_HOURS.items():
                    setattr(existing, field, text)
                existing.save(update_fields=list(DEMO_HOURS))
            _load_demo_parts(existing)
        return existing, False
    clinic = Clinic.objects.create(
        name=DEMO_NAME,
        tagline="Care for mothers before and after birth",
        phone="+1 617 555 0100",
        email="hello@example.org",
        oncall_email="oncall@example.org",
        address="100 Example Street, Suite 4\nBoston, MA 02116",
        hours=DEMO_HOURS["hours"],
        hours_es=DEMO_HOURS["hours_es"],
    )
    for location in DEMO_LOCATIONS:
        Location.objects.create(clinic=clinic, **location)
    _load_demo_parts(clinic)
    return clinic, True


def _load_demo_parts(clinic: Clinic) -> None:
    """The demo's logo, clinicians and hours; safe to load again."""
    _load_demo_logo(clinic)
    load_demo_booking(clinic)


def _load_demo_logo(clinic: Clinic) -> None:
    """One file under a fixed name, written only if missing: loading again adds no copies."""
    storage = clinic.logo.storage
    if not storage.exists(DEMO_LOGO_NAME):
        with DEMO_LOGO.open("rb") as svg:
            storage.save(DEMO_LOGO_NAME, File(svg))
    if not clinic.logo:
        clinic.logo.name = DEMO_LOGO_NAME
        clinic.save(update_fields=["logo"])


def load_demo_back_office() -> None:
    """Chairs and the infusion visit, OBs and default forms for the demo (idempotent)."""
    plans.load_demo()  # after booking: the infusion visit type joins the demo's types
    consents.load_demo()
    obcare.load_demo()
