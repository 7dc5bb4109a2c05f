"""The sedation and dissociation scales a medical director may choose for the day's observations.

Each observation stores the key of the scale it was scored on, so a record stays readable after
the director changes scale. Only each scale's range is held here, never its item text: the
scales' licence terms are unconfirmed, so staff score them from the clinic's own copy.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Scale:
    key: str
    name: str
    low: int
    high: int
    guide: str  # what the ends of the scale mean, for the form's help text

    @property
    def label(self) -> str:
        return f"{self.name} ({self.low} to {self.high})"

    def contains(self, value: int) -> bool:
        return self.low <= value <= self.high


# Lower is more sedated on both.
SEDATION = {
    scale.key: scale
    for scale in (
        Scale("moaas", "MOAA/S", 0, 5, "5 responds readily to her name; 0 no response to pain"),
        Scale("rass", "RASS", -5, 4, "+4 combative; 0 alert and calm; -5 unarousable"),
    )
}

# Higher is more dissociated on both.
DISSOCIATION = {
    scale.key: scale
    for scale in (
        Scale("cadss6", "CADSS-6", 0, 24, "the six-item short form, each item 0 to 4"),
        Scale("cadss23", "CADSS", 0, 92, "the 23-item form, each item 0 to 4"),
    )
}


def choices(scales: dict[str, Scale]) -> list[tuple[str, str]]:
    return [(scale.key, scale.label) for scale in scales.values()]


def name_of(scales: dict[str, Scale], key: str) -> str:
    """The scale's name, or the stored key for a scale since withdrawn."""
    scale = scales.get(key)
    return scale.name if scale else key
