"""What the OB-coordination tests share: a patient, her OB, her signed consent, and a way to read
the text back out of a PDF."""

import re
import zlib
from datetime import date, timedelta

from django.utils import timezone

from perinatal.notify.models import Message
from perinatal.obcare.models import CarePlanLetter, Obstetrician, PatientOb, ob_of
from perinatal.patients.models import Patient
from tests.harness import make_patient

PATIENT_NAME = "Ana Muñoz"
DATE_OF_BIRTH = date(1991, 3, 14)
DUE_DATE = date(2026, 9, 2)


LINK = re.compile(r"/ob/letters/([A-Za-z0-9_-]+)/")
# Ways her identity could leak into an email: her name, date of birth and due date, as written.
PHI = ["Ana", "Muñoz", "Munoz", "1991", "March 14", "03/14", "September 2", "2026-09-02"]


def an_ob(**fields) -> Obstetrician:
    return Obstetrician.objects.create(
        **{
            "name": "Dr. Laura Chen",
            "practice": "Back Bay Obstetrics",
            "phone": "+16175550111",
            "fax": "+16175550112",
            "email": "lchen@backbay-ob.example.org",
            **fields,
        }
    )


def set_ob(patient: Patient, ob: Obstetrician | None, **given) -> PatientOb:
    """Her OB: ``ob`` from the directory (or none), and ``given`` (``name_given``,
    ``practice_given``) as she named them."""
    her_ob = ob_of(patient)
    her_ob.obstetrician = ob
    for name, value in given.items():
        setattr(her_ob, name, value)
    her_ob.save()
    return her_ob


def a_patient(*, ob: Obstetrician | None = None, **fields) -> Patient:
    patient = make_patient(
        **{
            "name": PATIENT_NAME,
            "date_of_birth": DATE_OF_BIRTH,
            "stage": Patient.Stage.PREGNANT,
            "due_date": DUE_DATE,
            **fields,
        }
    )
    set_ob(patient, ob, name_given="Dr Chen", practice_given="Back Bay OB")
    return patient


def sign_ob_sharing(patient: Patient, *, by):
    """She signs the consent to share with her OB on the clinic tablet, through the consents
    app's own workflow."""
    from perinatal.consents.services import bundle_for, send_forms, sign

    token, requests = send_forms(patient=patient, kinds=["ob_sharing"], by=by, channel="tablet")
    (signed,) = sign(
        bundle=bundle_for(token),
        request_ids=[r.pk for r in requests],
        signer_name=patient.name,
        ip=None,
        user_agent="test",
    )
    return signed


def withdraw_ob_sharing(signed, *, by):
    from perinatal.consents.services import withdraw

    return withdraw(signed=signed, how="phone", by=by)


def draft(staff_client, patient, **fields) -> CarePlanLetter:
    response = staff_client.post(
        f"/staff/patients/{patient.public_id}/ob-letters/new/",
        {"respond_by": (timezone.localdate() + timedelta(days=7)).isoformat(), **fields},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return CarePlanLetter.objects.latest("id")


def send(staff_client, letter) -> str:
    """Send (or resend) through the staff page; returns the token from the OB's email."""
    before = Message.objects.filter(template="ob_letter").count()
    response = staff_client.post(f"/staff/ob-letters/{letter.public_id}/send/", follow=True)
    assert response.status_code == 200
    messages = Message.objects.filter(template="ob_letter").order_by("id")
    assert messages.count() == before + 1, response.content.decode()
    link = LINK.search(messages.latest("id").body_text)
    assert link is not None, "no link in the OB's email"
    return link.group(1)


_OBJECT = re.compile(rb"(\d+) 0 obj(.*?)endobj", re.S)
_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.S)
_FONT_REF = re.compile(rb"/(F\d+) (\d+) 0 R")
_TO_UNICODE = re.compile(rb"/ToUnicode (\d+) 0 R")
_BFCHAR = re.compile(rb"<([0-9A-Fa-f]{4})>\s*<([0-9A-Fa-f]{4,8})>")
_TEXT_OPS = re.compile(rb"/(F\d+) [\d.]+ Tf|\(((?:[^()\\]|\\.)*)\)\s*Tj", re.S)
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def _unescape(literal: bytes) -> bytes:
    out, i = bytearray(), 0
    while i < len(literal):
        byte = literal[i : i + 1]
        if byte != b"\\":
            out += byte
            i += 1
            continue
        octal = re.match(rb"[0-7]{1,3}", literal[i + 1 : i + 4])
        if octal:
            out.append(int(octal.group(), 8))
            i += 1 + len(octal.group())
        else:
            following = literal[i + 1 : i + 2]
            out += _ESCAPES.get(following, following)
            i += 2
    return bytes(out)


def _stream(body: bytes) -> bytes | None:
    match = _STREAM.search(body)
    if match is None:
        return None
    try:
        return zlib.decompress(match.group(1))
    except zlib.error:
        return match.group(1)


def pdf_text(data: bytes) -> str:
    """The text an fpdf2 PDF shows, one line per text-showing operator, decoded through each
    font's ToUnicode map (two-byte glyph codes in literal strings). Enough to read back what we
    wrote; not a general PDF parser."""
    objects = {int(number): body for number, body in _OBJECT.findall(data)}
    glyph_maps = {}
    for number, body in objects.items():
        to_unicode = _TO_UNICODE.search(body)
        if to_unicode:
            cmap = _stream(objects[int(to_unicode.group(1))]) or b""
            glyph_maps[number] = {
                int(code, 16): bytes.fromhex(text.decode()).decode("utf-16-be")
                for code, text in _BFCHAR.findall(cmap)
            }
    fonts = {}
    for body in objects.values():
        if b"/Font <<" in body:
            for name, number in _FONT_REF.findall(body):
                fonts[name] = glyph_maps.get(int(number), {})
    lines, current = [], {}
    for body in objects.values():
        if b"/Length" not in body or b"/ToUnicode" in body:
            continue
        content = _stream(body) or b""
        if b" Tf" not in content:
            continue
        for font, literal in _TEXT_OPS.findall(content):
            if font:
                current = fonts.get(font, {})
                continue
            raw = _unescape(literal)
            codes = [int.from_bytes(raw[i : i + 2], "big") for i in range(0, len(raw) - 1, 2)]
            lines.append("".join(current.get(code, "?") for code in codes))
    return "\n".join(lines)
