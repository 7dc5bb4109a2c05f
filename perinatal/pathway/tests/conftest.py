from perinatal.plans.tests.conftest import clinician, infusion_clinic, patient  # noqa: F401
