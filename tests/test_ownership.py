"""The owner writes its tables: only booking creates or edits appointments.

Every other app reaches an appointment through a public booking service
(``perinatal.booking.services``), which keeps booking's guarantees: the overlap rule, the
emails and reminders, the record of what happened. This test reads the source of every runtime
module outside ``perinatal/booking/`` (tests and migrations aside) and fails on a line that
builds or writes an appointment's rows itself, or that reaches for one of booking's private
(``_``) names.
"""

import ast
from pathlib import Path

import perinatal

ROOT = Path(perinatal.__file__).parent
BOOKING = ROOT / "booking"

# Booking's own rows: the appointment and what hangs off it.
OWNED = {"Appointment", "AppointmentEvent", "ManageLink"}
RELATED = {"appointments", "events", "manage_links"}  # their reverse accessors
WRITES = {
    "create",
    "bulk_create",
    "update",
    "bulk_update",
    "get_or_create",
    "update_or_create",
    "delete",
    "save",
}


def runtime_modules() -> list[Path]:
    return sorted(
        path
        for path in ROOT.rglob("*.py")
        if not path.is_relative_to(BOOKING)
        and not {"tests", "migrations"} & set(path.relative_to(ROOT).parts)
    )


def chain(node: ast.AST) -> list[str]:
    """The names along ``a.b(...).c[...]``, root first."""
    names = []
    while True:
        if isinstance(node, ast.Attribute):
            names.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Subscript):
            node = node.value
        elif isinstance(node, ast.Name):
            names.append(node.id)
            return names[::-1]
        else:
            return names[::-1]


def booking_aliases(tree: ast.Module) -> set[str]:
    """Local names bound to a booking module (``from perinatal.booking import services as
    booking``, ``import perinatal.booking.services as booking``)."""
    aliases = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("perinatal.booking"):
            if node.module == "perinatal.booking":
                aliases |= {alias.asname or alias.name for alias in node.names}
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("perinatal.booking") and alias.asname:
                    aliases.add(alias.asname)
    return aliases


def trespasses(path: Path, root: Path = ROOT) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    aliases = booking_aliases(tree)
    found = []

    def say(node, what):
        found.append((node.lineno, f"{path.relative_to(root)}:{node.lineno}: {what}"))

    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("perinatal.booking"):
            for alias in node.names:
                if alias.name.startswith("_"):
                    say(node, f"imports booking's private {alias.name}")
        elif (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in aliases
            and node.attr.startswith("_")
        ):
            say(node, f"uses booking's private {node.value.id}.{node.attr}")
        elif isinstance(node, ast.Call):
            names = chain(node.func)
            if names and names[-1] in OWNED:
                say(node, f"builds {names[-1]}(...)")
            elif isinstance(node.func, ast.Attribute) and node.func.attr in WRITES:
                receiver = names[:-1]
                if set(receiver) & (OWNED | RELATED):
                    say(node, f"writes {'.'.join(receiver)} ({node.func.attr})")
                elif (
                    len(receiver) == 1
                    and "appointment" in receiver[0].lower()
                    and node.func.attr in {"save", "delete"}
                ):
                    say(node, f"writes {receiver[0]} ({node.func.attr})")
    return [line for _, line in sorted(found)]


def test_only_booking_writes_appointments():
    found = [line for path in runtime_modules() for line in trespasses(path)]
    assert found == [], "\n".join(found)


def test_the_check_sees_what_it_looks_for(tmp_path):
    """The check itself can fail: each kind of trespass, written out, is caught."""
    source = tmp_path / "sample.py"
    source.write_text(
        "from perinatal.booking.services import _place\n"
        "from perinatal.booking import services as booking\n"
        "booking._serialise_writes_for(1)\n"
        "Appointment(name='x')\n"
        "Appointment.objects.filter(pk=1).update(status='cancelled')\n"
        "AppointmentEvent.objects.create(kind='booked')\n"
        "patient.appointments.update(patient=other)\n"
        "appointment.save()\n"
        "appointment.patient.save()\n"  # her record, not the appointment: allowed
        "Appointment.objects.filter(pk=1).exists()\n"  # a read: allowed
    )
    found = trespasses(source, root=tmp_path)
    assert [line.split(":")[1] for line in found] == ["1", "3", "4", "5", "6", "7", "8"]
