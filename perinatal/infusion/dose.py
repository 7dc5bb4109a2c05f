"""The day's dose, worked out from her weight measured today and the plan's mg/kg, within the
protocol's bounds. Pure arithmetic on decimals; rounding always goes down, so no rounding can
take a dose above a bound."""

from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

MIN_WEIGHT_KG = Decimal("30")
MAX_WEIGHT_KG = Decimal("250")


class DoseRefused(ValueError):
    """The numbers given cannot make a dose within the protocol."""


@dataclass(frozen=True)
class Dose:
    weight_kg: Decimal
    mg_per_kg: Decimal
    mg: Decimal
    capped: bool  # the protocol's maximum in mg, not her weight, set the dose
    concentration_mg_per_ml: Decimal
    volume_ml: Decimal
    minutes: int
    rate_ml_per_hour: Decimal


def work_out(
    *,
    weight_kg: Decimal,
    mg_per_kg: Decimal,
    max_mg_per_kg: Decimal,
    max_mg: Decimal,
    concentration_mg_per_ml: Decimal,
    minutes: int,
) -> Dose:
    """The dose for ``weight_kg`` at ``mg_per_kg``, never above ``max_mg_per_kg`` times the
    weight nor ``max_mg``; the volume to draw at ``concentration_mg_per_ml``; the pump rate over
    ``minutes``."""
    weight_kg, mg_per_kg = Decimal(weight_kg), Decimal(mg_per_kg)
    if not MIN_WEIGHT_KG <= weight_kg <= MAX_WEIGHT_KG:
        raise DoseRefused(f"A weight of {weight_kg} kg is outside 30 to 250 kg: weigh her again.")
    if mg_per_kg <= 0 or mg_per_kg > max_mg_per_kg:
        raise DoseRefused(
            f"The plan's {mg_per_kg} mg/kg is above the protocol's maximum of {max_mg_per_kg} "
            "mg/kg: the plan must be corrected and signed again."
        )
    if concentration_mg_per_ml <= 0 or minutes <= 0 or max_mg <= 0:
        raise DoseRefused(
            "The vial's strength, the infusion's length and the maximum dose must be above zero."
        )
    by_weight = (weight_kg * mg_per_kg).quantize(Decimal("0.1"), rounding=ROUND_DOWN)
    mg = min(by_weight, Decimal(max_mg).quantize(Decimal("0.1"), rounding=ROUND_DOWN))
    if mg <= 0:
        raise DoseRefused("These numbers make no dose at all.")
    volume = (mg / Decimal(concentration_mg_per_ml)).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    rate = (volume * 60 / minutes).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return Dose(
        weight_kg=weight_kg,
        mg_per_kg=mg_per_kg,
        mg=mg,
        capped=mg < by_weight,
        concentration_mg_per_ml=Decimal(concentration_mg_per_ml),
        volume_ml=volume,
        minutes=minutes,
        rate_ml_per_hour=rate,
    )
