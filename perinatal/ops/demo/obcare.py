"""A few fictional OBs in the directory, so a fresh clone can link a patient's OB and send a
letter. Numbers are 555 numbers and addresses are example.org; no NPI is made up (a made-up one
could belong to a real provider)."""

from django.db import transaction

from perinatal.obcare.models import Obstetrician

DEMO_OBS = [
    {
        "name": "Dr. Laura Chen, MD (demo)",
        "practice": "Back Bay Obstetrics (demo)",
        "phone": "+16175550131",
        "fax": "+16175550132",
        "email": "lchen@ob.example.org",
    },
    {
        "name": "Rosa Delgado, CNM (demo)",
        "practice": "Cherry Creek Midwives (demo)",
        "phone": "+13035550141",
        "fax": "+13035550142",
        "email": "rdelgado@midwives.example.org",
    },
    {
        "name": "Dr. Samuel Okoye, DO (demo)",
        "practice": "Harborview Women's Health (demo)",
        "phone": "+16175550151",
        "fax": "",
        "email": "",
    },
]


@transaction.atomic
def load_demo() -> int:
    """Add the demo OBs that are not in the directory yet; returns how many were added."""
    added = 0
    for fields in DEMO_OBS:
        _, created = Obstetrician.objects.get_or_create(name=fields["name"], defaults=fields)
        added += created
    return added
