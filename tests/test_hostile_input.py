"""Hostile input on every staff page: no answer is a server error.

Every staff page is read from the URL resolver (as in ``test_staff_access``), opened as a role
that may use it, and each form it shows, GET filters and POST forms alike, is sent back with every
field set to one hostile value at a time: a NUL byte, dates at the ends of the calendar, a number
past any integer column, ten thousand characters, right-to-left marks and emoji. The page may
refuse the value (a form error, a 400, a 404) but must never answer with a 5xx.
"""

from html.parser import HTMLParser

import pytest

from perinatal.accounts.roles import MATRIX, Role
from tests.harness import make_staff, restore_shipped_defaults, sign_in
from tests.test_staff_access import GATED, RECORD, _path, world  # noqa: F401  (world is a fixture)

# Committed transactions, so a request that breaks its own does not break the test's.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.fixture(autouse=True)
def _shipped_defaults(transactional_db, clinic):
    """An earlier test that committed may have emptied what the data migrations ship."""
    restore_shipped_defaults()


HOSTILE = [
    "\x00",
    "Ana\x00Smith",
    "0001-01-01",
    "9999-12-31",
    "100000000000000000000",
    "-1",
    "x" * 10_000,
    "\u202eevil\u202c name",
    "😀🤱🏽",
    "Ana\x1b[31m\x07\r\nBell",
]

# Each field alone gets the values that break parsing and storage, not every variant.
ALONE = ["\x00", "0001-01-01", "9999-12-31", "100000000000000000000", "x" * 10_000]


class Forms(HTMLParser):
    """The forms of a page: method, action and their fields, each with the value a person who
    changes nothing would send (a select's selected or first option, a box's first choice)."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        fields = self.forms[-1]["fields"] if self.forms else None
        if tag == "form":
            self.forms.append(
                {
                    "method": (attrs.get("method") or "get").lower(),
                    "action": attrs.get("action") or "",
                    "fields": {},
                }
            )
        elif fields is None:
            return
        elif tag in ("input", "textarea") and attrs.get("name"):
            if attrs.get("type") in ("submit", "button", "reset", "image"):
                return
            fields.setdefault(attrs["name"], attrs.get("value") or "")
        elif tag == "select" and attrs.get("name"):
            self._select = attrs["name"]
        elif (
            tag == "option" and self._select and (self._select not in fields or "selected" in attrs)
        ):
            fields[self._select] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def _forms(html: str) -> list[dict]:
    parser = Forms()
    parser.feed(html)
    return parser.forms


def _short(changes: dict) -> dict:
    return {field: repr(value[:12]) for field, value in changes.items()}


def _role_for(capability) -> str:
    for role in (Role.CLINICIAN, Role.MEDICAL_DIRECTOR, Role.NURSE, Role.FRONT_DESK, Role.ADMIN):
        if capability in MATRIX[role]:
            return role
    raise AssertionError(f"no role has {capability}")


def test_no_staff_page_answers_hostile_input_with_a_server_error(client, world):  # noqa: F811
    client.raise_request_exception = False
    users = {}
    errors = []
    sent = []
    for name, route, capability in GATED:
        if name.endswith("sign_out"):
            continue
        role = _role_for(capability)
        if role not in users:
            users[role] = make_staff(role, username=f"hostile-{role}")
        sign_in(client, users[role])
        record = world[RECORD[name]] if name in RECORD else None
        path = _path(route, record)
        page = client.get(path)
        if page.status_code >= 500:
            errors.append((name, "GET", page.status_code))
        if page.status_code != 200 or "html" not in page.get("Content-Type", ""):
            continue
        for form in _forms(page.content.decode()):
            action = form["action"] or path
            if not action.startswith("/staff/") or action.startswith("/staff/sign-out"):
                continue
            defaults = form["fields"]
            fields = [field for field in defaults if field != "csrfmiddlewaretoken"]
            # Every field hostile at once, then each field alone with the others as shown.
            attempts = [dict.fromkeys(fields, value) for value in HOSTILE]
            attempts += [{field: value} for field in fields for value in ALONE]
            for changes in attempts:
                send = client.post if form["method"] == "post" else client.get
                answer = send(action, {**defaults, **changes})
                sent.append((name, action, answer.status_code))
                if answer.status_code >= 500:
                    errors.append((name, form["method"], action, _short(changes)))
                if "/staff/sign-in/" in answer.get("Location", ""):
                    sign_in(client, users[role])  # a password change ends the session

    assert len(sent) > 1000, "the pages' forms were not found"
    assert not errors, "\n".join(map(str, errors))


@pytest.mark.parametrize(
    "query",
    [
        "since=0001-01-01&until=9999-12-31",
        "since=9999-12-31",
        "patient=99999999999999999999",
        "patient=-1",
        "patient=%00",
    ],
)
@pytest.mark.parametrize("path", ["/staff/audit/", "/staff/audit/export/"])
def test_the_audit_filters_refuse_out_of_range_values_without_a_server_error(
    client, clinic, path, query
):
    sign_in(client, make_staff("director", username="auditor"))
    client.raise_request_exception = False
    assert client.get(f"{path}?{query}").status_code < 500
