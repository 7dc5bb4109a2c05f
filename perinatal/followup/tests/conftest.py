from perinatal.infusion.tests.conftest import (  # noqa: F401 (fixtures)
    clinician,
    day_clinic,
    nurse,
    second_nurse,
)
