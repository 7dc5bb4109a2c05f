"""The National Provider Identifier's check digit, as CMS defines it.

An NPI is nine digits and a Luhn ("double-add-double", ISO/IEC 7812) check digit. CMS computes
that digit as if the card-issuer prefix 80840 (80: health, 840: United States) stood in front,
so the whole 15-digit number passes an ordinary Luhn check. NPIs are issued starting with 1 or 2.
"""

import re

CARD_ISSUER_PREFIX = "80840"
_NPI = re.compile(r"^[12]\d{9}$")


def luhn_ok(digits: str) -> bool:
    """True when ``digits`` ends in a valid Luhn check digit."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:  # every second digit from the right, the check digit being first
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def is_valid_npi(npi: str) -> bool:
    return bool(_NPI.match(npi)) and luhn_ok(CARD_ISSUER_PREFIX + npi)
