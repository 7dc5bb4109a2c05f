"""The Spanish site: every string translated, the compiled catalogue current, the pages in Spanish."""

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings

LC_MESSAGES = Path(settings.BASE_DIR) / "perinatal" / "locale" / "es" / "LC_MESSAGES"
PO_FILE = LC_MESSAGES / "django.po"
MO_FILE = LC_MESSAGES / "django.mo"

HEADLINE = "No se siente como usted misma desde que llegó su bebé"


def parse_po(path: Path) -> list[dict]:
    """A small .po reader: one dict per entry, with its flags, msgid(_plural) and msgstr(s).

    Obsolete entries (``#~``) are left out. Keys are ``msgid``, ``msgid_plural``, ``msgstr`` and
    ``msgstr[N]``; the values are the unescaped strings.
    """
    entries: list[dict] = []
    entry: dict = {"flags": set()}
    key = None

    def finish():
        nonlocal entry, key
        if "msgid" in entry:
            entries.append(entry)
        entry, key = {"flags": set()}, None

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            finish()
        elif line.startswith("#,"):
            entry["flags"].update(f.strip() for f in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            entry[key] += ast.literal_eval(line)
        else:
            keyword, value = line.split(" ", 1)
            if keyword == "msgid" and "msgid" in entry:
                finish()
            key = keyword
            entry[key] = ast.literal_eval(value)
    finish()
    return entries


def translation_items(entry: dict) -> list[tuple[str, str]]:
    """(key, text) of each translated form: "msgstr", or "msgstr[0]", "msgstr[1]" …"""
    if "msgid_plural" in entry:
        return [(k, v) for k, v in sorted(entry.items()) if k.startswith("msgstr[")]
    return [("msgstr", entry["msgstr"])]


def translations(entry: dict) -> list[str]:
    return [text for _, text in translation_items(entry)]


@pytest.fixture(scope="module")
def entries():
    parsed = parse_po(PO_FILE)
    assert parsed, f"no entries read from {PO_FILE}"
    return parsed


def test_the_header_is_spanish_and_not_fuzzy(entries):
    header = entries[0]
    assert header["msgid"] == ""
    assert "fuzzy" not in header["flags"]
    assert "Language: es\n" in header["msgstr"]


def test_every_message_is_translated_and_none_is_fuzzy(entries):
    nplurals = int(re.search(r"nplurals=(\d+)", entries[0]["msgstr"]).group(1))
    messages = entries[1:]
    assert len(messages) > 100
    fuzzy = [e["msgid"] for e in messages if "fuzzy" in e["flags"]]
    assert fuzzy == []
    untranslated = [e["msgid"] for e in messages if not all(s.strip() for s in translations(e))]
    assert untranslated == []
    short_plurals = [
        e["msgid"] for e in messages if "msgid_plural" in e and len(translations(e)) != nplurals
    ]
    assert short_plurals == []


PLACEHOLDER_OR_TAG = re.compile(r"%\(\w+\)[sd]|%%|<[^>]+>")


def test_placeholders_and_markup_are_kept(entries):
    """Each form keeps what its English keeps: the singular form the msgid's, every plural form
    the msgid_plural's (an English singular often spells out "one" where the plural counts)."""
    for entry in entries[1:]:
        for key, text in translation_items(entry):
            source = entry["msgid_plural"] if key not in ("msgstr", "msgstr[0]") else entry["msgid"]
            expected = sorted(PLACEHOLDER_OR_TAG.findall(source))
            assert sorted(PLACEHOLDER_OR_TAG.findall(text)) == expected, entry["msgid"]


def test_the_compiled_catalogue_matches_the_po_file(entries):
    assert MO_FILE.exists(), "run: uv run python manage.py compilemessages --ignore=.venv"
    with MO_FILE.open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    for entry in entries[1:]:
        if "msgid_plural" in entry:
            assert compiled.ngettext(entry["msgid"], entry["msgid_plural"], 1) == entry["msgstr[0]"]
        else:
            found = (
                compiled.pgettext(entry["msgctxt"], entry["msgid"])
                if "msgctxt" in entry
                else compiled.gettext(entry["msgid"])
            )
            assert found == entry["msgstr"], entry["msgid"]


def test_the_spanish_home_page_is_in_spanish(client, clinic):
    response = client.get("/es/")
    assert response.status_code == 200
    html = response.text
    assert re.search(r'<html lang="es"', html)
    assert HEADLINE in html
    assert "Not feeling like yourself" not in html
