import pytest
from django.urls import clear_script_prefix, reverse, set_script_prefix

from perinatal.lib.links import linker

LINKED_ROWS = [
    "patients:chart",
    "patients:callback",
    "patients:merge",
    "schedule:appointment",
    "obcare:letter",
    "plans:plan",
    "plans:book",
    "consents:patient",
    "consents:printable",
]


@pytest.mark.parametrize("viewname", LINKED_ROWS)
def test_a_linker_gives_what_reverse_gives(viewname):
    link = linker(viewname)
    for pk in (1, 42, 7_000_000_001):
        assert link(pk) == reverse(viewname, args=[pk])


def test_a_linker_keeps_the_script_prefix_of_the_request():
    set_script_prefix("/clinic/")
    try:
        link = linker("patients:chart")
        assert link(7).startswith("/clinic/")
        assert link(7) == reverse("patients:chart", args=[7])
    finally:
        clear_script_prefix()


def test_a_linker_takes_integer_keys_only():
    with pytest.raises(ValueError):
        linker("patients:chart")("7/../../admin")
