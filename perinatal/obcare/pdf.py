"""A letter to her OB as a PDF, made with fpdf2.

The PDF core fonts cover Latin-1 only and fpdf2 ships no TrueType font, so the letter embeds
DejaVu Sans (subset to the glyphs used): names like "Muñoz" or "Nguyễn" print as typed. The font
is looked for in ``perinatal/obcare/fonts/`` first (a deployment may drop the files there, with
their licence), then where Linux distributions install it (Debian: ``fonts-dejavu-core``).
``checks.py`` warns at start-up when it is nowhere to be found.
"""

import logging
from functools import cache
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from perinatal.clinic.models import Clinic
from perinatal.lib.phones import format_phone
from perinatal.obcare.models import CarePlanLetter
from perinatal.obcare.services import long_date

# fontTools logs every subsetting step at INFO: dozens of lines per letter.
logging.getLogger("fontTools").setLevel(logging.WARNING)

FONT_DIRS = [
    Path(__file__).resolve().parent / "fonts",
    Path("/usr/share/fonts/truetype/dejavu"),  # Debian, Ubuntu
    Path("/usr/share/fonts/dejavu-sans-fonts"),  # Fedora
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/share/fonts/TTF"),  # Arch
    Path("/usr/local/share/fonts"),
]
REGULAR, BOLD = "DejaVuSans.ttf", "DejaVuSans-Bold.ttf"
FAMILY = "DejaVu"
CONFIDENTIAL = "Confidential: this letter holds protected health information."


class FontMissing(RuntimeError):
    pass


@cache
def font_files() -> tuple[Path, Path]:
    """(regular, bold) DejaVu Sans files; the regular one stands in if bold is missing."""
    for folder in FONT_DIRS:
        regular = folder / REGULAR
        if regular.is_file():
            bold = folder / BOLD
            return regular, bold if bold.is_file() else regular
    raise FontMissing(
        "No DejaVu Sans font found for PDF letters: install fonts-dejavu-core, or put "
        f"{REGULAR} and {BOLD} (with their licence) in {FONT_DIRS[0]}."
    )


def recipient_lines(letter: CarePlanLetter) -> list[str]:
    ob = letter.obstetrician
    lines = [ob.name]
    if ob.practice:
        lines.append(ob.practice)
    if ob.fax:
        lines.append(f"Fax: {format_phone(ob.fax)}")
    return lines


def answer_text(letter: CarePlanLetter) -> str:
    """The OB's answer as one paragraph, for the chart's copy of an answered letter."""
    if not letter.is_answered:
        return ""
    who = letter.responder_name + (f" ({letter.responder_role})" if letter.responder_role else "")
    said = "Cleared" if letter.response == CarePlanLetter.Response.CLEARED else "Concerns"
    text = f"{said}, by {who} on {long_date(letter.responded_at)}."
    if letter.response_text:
        text += f"\n{letter.response_text}"
    return text


class LetterPDF(FPDF):
    def __init__(self, clinic: Clinic, kind: str = "Care-plan letter"):
        super().__init__(orientation="portrait", unit="mm", format="Letter")
        self.clinic = clinic
        regular, bold = font_files()
        self.add_font(FAMILY, "", str(regular))
        self.add_font(FAMILY, "B", str(bold))
        self.set_margins(22, 20, 22)
        self.set_auto_page_break(auto=True, margin=22)
        self.set_creator("Perinatal")
        self.set_title(f"{kind} from {clinic.name}")

    def header(self):
        self.set_font(FAMILY, "B", 13)
        self.cell(0, 7, self.clinic.name, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        contact = [
            " ".join(self.clinic.address.split()),
            self.clinic.phone_display,
            self.clinic.email,
        ]
        self.set_font(FAMILY, "", 8.5)
        self.multi_cell(0, 4.5, "  ·  ".join(c for c in contact if c))
        self.set_draw_color(180, 180, 180)
        self.line(self.l_margin, self.get_y() + 1.5, self.w - self.r_margin, self.get_y() + 1.5)
        self.ln(6)

    def footer(self):
        self.set_y(-15)
        self.set_font(FAMILY, "", 8)
        self.set_text_color(90, 90, 90)
        self.cell(0, 5, f"{CONFIDENTIAL}  Page {self.page_no()} of {{nb}}", align="C")
        self.set_text_color(0, 0, 0)

    def paragraph(self, text: str, *, size: float = 10.5, bold: bool = False, gap: float = 2):
        self.set_font(FAMILY, "B" if bold else "", size)
        self.multi_cell(0, size * 0.5, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(gap)


def render_pdf(letter: CarePlanLetter) -> bytes:
    clinic = Clinic.objects.current()
    pdf = LetterPDF(clinic, letter.get_kind_display())
    pdf.add_page()
    pdf.paragraph(long_date(letter.sent_at or letter.created_at), gap=4)
    pdf.paragraph("To:", bold=True, gap=0)
    pdf.paragraph("\n".join(recipient_lines(letter)), gap=4)
    pdf.paragraph(f"{letter.get_kind_display()}: {letter.patient.name}", size=14, bold=True, gap=3)
    if letter.covering_note:
        pdf.paragraph(letter.covering_note, gap=4)
    for section in letter.sections:
        pdf.paragraph(section["heading"], size=11.5, bold=True, gap=0.5)
        pdf.paragraph(section["text"], gap=4)
    answer = answer_text(letter)
    if answer:
        pdf.paragraph("Answer from the OB", size=11.5, bold=True, gap=0.5)
        pdf.paragraph(answer, gap=4)
    return bytes(pdf.output())
