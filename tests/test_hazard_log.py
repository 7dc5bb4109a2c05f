"""The hazard log (docs/safety/hazard-log.md) names real tests for every control of every hazard.

The tests are found by reading the files with ``ast``, not by running them: this check is quick
and needs no database.
"""

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LOG = ROOT / "docs" / "safety" / "hazard-log.md"
HAZARD = re.compile(r"^## (H\d+): (.+)$")
TEST_ID = re.compile(r"`([^`\s]+\.py(?:::\w+)+)`")
FIELDS = ("Cause", "Effect", "Severity", "Likelihood", "Risk")


@dataclass
class Hazard:
    key: str
    title: str
    fields: dict[str, str] = field(default_factory=dict)
    controls: list[list[str]] = field(default_factory=list)


def parse(text: str) -> list[Hazard]:
    hazards: list[Hazard] = []
    in_controls = False
    for line in text.splitlines():
        if found := HAZARD.match(line):
            hazards.append(Hazard(found[1], found[2]))
            in_controls = False
        elif not hazards:
            continue
        elif line.startswith("### Controls"):
            in_controls = True
        elif line.startswith("- ") and in_controls:
            hazards[-1].controls.append(TEST_ID.findall(line))
        elif line.startswith("- ") and ":" in line:
            name, value = line[2:].split(":", 1)
            hazards[-1].fields[name.strip()] = value.strip()
    return hazards


def _defined(path: Path) -> set[str]:
    """Every test function and Class::method defined in ``path``."""
    tree = ast.parse(path.read_text())
    names = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            names.add(node.name)
        elif isinstance(node, ast.ClassDef):
            names.update(
                f"{node.name}::{item.name}"
                for item in node.body
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef)
            )
    return names


def problems(hazards: list[Hazard], root: Path) -> list[str]:
    found = []
    if not hazards:
        return ["the log lists no hazard"]
    for hazard in hazards:
        where = f"{hazard.key} ({hazard.title})"
        missing = [name for name in FIELDS if not hazard.fields.get(name)]
        if missing:
            found.append(f"{where}: no {', '.join(missing)}")
        if not hazard.controls:
            found.append(f"{where}: no control")
        for number, tests in enumerate(hazard.controls, start=1):
            if not tests:
                found.append(f"{where}: control {number} names no test")
            for test in tests:
                path, _, name = test.partition("::")
                file = root / path
                if not file.is_file():
                    found.append(f"{where}: {path} does not exist")
                elif name not in _defined(file):
                    found.append(f"{where}: {test} does not exist")
    return found


def test_every_hazard_has_controls_shown_by_tests_that_exist():
    hazards = parse(LOG.read_text())

    assert problems(hazards, ROOT) == []
    assert len(hazards) >= 12


def test_the_log_covers_the_hazards_the_pathway_was_built_against():
    titles = " ".join(h.title.lower() for h in parse(LOG.read_text()))
    for words in (
        "self-harm",
        "scored wrongly",
        "without eligibility",
        "pregnant",
        "two infusions",
        "chair or a clinician",
        "consent is withdrawn",
        "ob is not told",
        "merged",
        "email or a url",
        "token",
        "reminder",
    ):
        assert words in titles, words


BAD = """
## H1: Nothing stops it

- Cause: c
- Effect: e
- Severity: 3
- Likelihood: 3
- Risk: 9

### Controls

## H2: A control without tests

- Cause: c
- Effect: e
- Severity: 3
- Likelihood: 3
- Risk: 9

### Controls

- Someone looks carefully.

## H3: Tests that are not there

- Cause: c
- Severity: 3
- Likelihood: 3
- Risk: 9

### Controls

- A: `tests/test_hazard_log.py::test_that_was_never_written`
- B: `tests/no_such_file.py::test_anything`
- C: `tests/test_hazard_log.py::Missing::test_method`
"""


@pytest.mark.parametrize(
    "expected",
    [
        "H1 (Nothing stops it): no control",
        "H2 (A control without tests): control 1 names no test",
        "H3 (Tests that are not there): no Effect",
        "H3 (Tests that are not there): tests/test_hazard_log.py::test_that_was_never_written "
        "does not exist",
        "H3 (Tests that are not there): tests/no_such_file.py does not exist",
        "H3 (Tests that are not there): tests/test_hazard_log.py::Missing::test_method does not "
        "exist",
    ],
)
def test_the_check_reports_each_kind_of_gap(expected):
    assert expected in problems(parse(BAD), ROOT)


def test_an_empty_log_is_a_gap():
    assert problems(parse("# Hazard log\n"), ROOT) == ["the log lists no hazard"]
