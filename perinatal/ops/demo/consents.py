"""Demo data for consents: the default forms (a database emptied by tests or by hand has none)."""

from perinatal.consents.defaults import install
from perinatal.consents.models import ConsentTemplate


def load_demo() -> int:
    """Publish any missing default form; returns how many were added. Safe to run again."""
    return install(ConsentTemplate)
