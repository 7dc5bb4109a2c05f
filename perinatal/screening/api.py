import operator
from functools import reduce
from typing import TYPE_CHECKING, Annotated, Literal

from django.http import HttpRequest
from ninja import Body, Field, Router, Schema, Status
from pydantic import BeforeValidator, create_model

from perinatal.lib.api_errors import ErrorOut, fail
from perinatal.lib.ratelimit import retry_after
from perinatal.lib.tokens import new_token
from perinatal.screening.content import crisis_resources, risk_factor_codes
from perinatal.screening.instruments import InvalidAnswers, get_instrument, languages_for, load_all
from perinatal.screening.models import Screening
from perinatal.screening.services import save_screening

router = Router(tags=["screening"])

InstrumentCode = Literal["epds", "phq9", "gad7"]


class OptionOut(Schema):
    position: int
    text: str
    score: int
    loinc: str


class ItemOut(Schema):
    number: int
    text: str
    safety: bool
    loinc: str
    options: list[OptionOut]


class BandOut(Schema):
    code: str
    min: int
    max: int
    label: str
    summary: str


class InstrumentSummaryOut(Schema):
    code: str
    version: str
    language: str
    name: str
    abbreviation: str


class InstrumentOut(InstrumentSummaryOut):
    recall: str
    instructions: str
    citation: str
    licence: str
    loinc_panel: str
    loinc_total: str
    max_total: int
    items: list[ItemOut]
    bands: list[BandOut]


# The request types are built at run time from the data files (risk factors, instruments), which
# mypy cannot follow: it checks the code against the fields every instrument's request has.
if TYPE_CHECKING:
    RiskFactorCode = str

    class ScreeningIn(Schema):
        instrument: str
        answers: list[int]
        language: str
        risk_factors: list[str]

else:
    RiskFactorCode = Literal[tuple(sorted(risk_factor_codes()))]


def _json_integer(value):
    """A JSON integer: 2 and 2.0 are the same number; true, "2" and 2.5 are not positions."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("must be a whole number")
    if isinstance(value, float) and not value.is_integer():
        raise ValueError("must be a whole number")
    return int(value)


def _screening_schema(instrument) -> type[Schema]:
    """The request body for one instrument, built from its data file: exact item count and
    option range, so the published schema says precisely what a complete answer set is."""
    top = len(instrument.items[0].options) - 1
    Code = Literal[instrument.code]  # type: ignore[valid-type]  # one value, known at run time
    Answers = Annotated[
        list[Annotated[int, Field(ge=0, le=top), BeforeValidator(_json_integer)]],
        Field(
            min_length=len(instrument.items),
            max_length=len(instrument.items),
            description="Per item in order, the 0-based position of the chosen option "
            "as displayed.",
        ),
    ]
    Language = Literal["en", "es"]
    RiskFactors = Annotated[list[RiskFactorCode], Field(max_length=20)]
    return create_model(
        f"{instrument.abbreviation.replace('-', '')}ScreeningIn",
        __base__=Schema,
        instrument=(Code, ...),
        answers=(Answers, ...),
        language=(Language, "en"),
        risk_factors=(RiskFactors, []),
    )


_SCHEMAS = [_screening_schema(get_instrument(code, "en")) for code in ("epds", "phq9", "gad7")]
if not TYPE_CHECKING:
    ScreeningIn = Annotated[
        reduce(operator.or_, _SCHEMAS),
        Field(discriminator="instrument"),
    ]


class CrisisResourceOut(Schema):
    name: str
    when: str
    number: str
    display: str
    call: bool
    text: bool


class ScreeningOut(Schema):
    id: str
    instrument: InstrumentSummaryOut
    total: int
    max_total: int
    item_scores: list[int]
    band: BandOut
    safety_alert: bool = Field(description="True when a self-harm item was answered above zero.")
    crisis_resources: list[CrisisResourceOut] = Field(
        description="Shown first whenever safety_alert is true; empty otherwise."
    )
    citation: str
    attach_key: str = Field(
        description="Give this as `screening_key` when booking to attach this screen; it is "
        "shown once, and only this client holds it."
    )


def _summary(instrument) -> dict:
    return {
        "code": instrument.code,
        "version": instrument.version,
        "language": instrument.language,
        "name": instrument.name,
        "abbreviation": instrument.abbreviation,
    }


def _detail(instrument) -> dict:
    return {
        **_summary(instrument),
        "recall": instrument.recall,
        "instructions": instrument.instructions,
        "citation": instrument.citation,
        "licence": instrument.licence,
        "loinc_panel": instrument.loinc_panel,
        "loinc_total": instrument.loinc_total,
        "max_total": instrument.max_total,
        "items": [
            {
                "number": item.number,
                "text": item.text,
                "safety": item.safety,
                "loinc": item.loinc,
                "options": [
                    {"position": i, "text": o.text, "score": o.score, "loinc": o.loinc}
                    for i, o in enumerate(item.options)
                ],
            }
            for item in instrument.items
        ],
        "bands": [vars(b) for b in instrument.bands],
    }


@router.get("/instruments", response=list[InstrumentSummaryOut], summary="List loaded instruments")
def list_instruments(request: HttpRequest):
    return [_summary(instrument) for _, instrument in sorted(load_all().items())]


@router.get(
    "/instruments/{code}",
    response={200: InstrumentOut, 404: ErrorOut, 422: ErrorOut},
    summary="One instrument's items, options, scores, bands, citation and licence",
)
def get_instrument_detail(
    request: HttpRequest, code: InstrumentCode, language: Literal["en", "es"] = "en"
):
    instrument = get_instrument(code, language)
    if instrument is None:
        available = ", ".join(languages_for(code)) or "none"
        return fail(
            404,
            "not_available",
            f"No validated {code} wording is loaded for {language!r} (loaded: {available}).",
        )
    return Status(200, _detail(instrument))


@router.post(
    "/screenings",
    response={
        201: ScreeningOut,
        400: ErrorOut,
        404: ErrorOut,
        415: ErrorOut,
        422: ErrorOut,
        429: ErrorOut,
    },
    summary="Score an anonymous screen",
    description=(
        "Scores and stores an anonymous screen (no name, contact, address or user agent is kept). "
        "When `safety_alert` is true, show `crisis_resources` before anything else."
    ),
)
def create_screening(request: HttpRequest, payload: Annotated[ScreeningIn, Body()]):
    wait = retry_after(request, "screening")
    if wait:
        return fail(
            429, "rate_limited", f"Too many screens from this address; try again in {wait} seconds."
        )
    instrument = get_instrument(payload.instrument, payload.language)
    if instrument is None:
        return fail(
            404,
            "not_available",
            f"No validated {payload.instrument} wording is loaded for {payload.language!r}.",
        )
    try:
        scored = instrument.score(payload.answers)
    except InvalidAnswers as exc:
        return fail(422, "invalid_answers", str(exc), [{"field": "answers", "message": str(exc)}])
    attach_key, attach_digest = new_token()
    screening = save_screening(
        scored=scored,
        risk_factors=payload.risk_factors,
        channel=Screening.Channel.API,
        attach_digest=attach_digest,
    )
    resources = crisis_resources(payload.language) if scored.safety_alert else []
    return Status(
        201,
        {
            "id": str(screening.public_id),
            "instrument": _summary(instrument),
            "total": scored.total,
            "max_total": instrument.max_total,
            "item_scores": list(scored.item_scores),
            "band": vars(scored.band),
            "safety_alert": scored.safety_alert,
            "crisis_resources": [vars(r) for r in resources],
            "citation": instrument.citation,
            "attach_key": attach_key,
        },
    )
