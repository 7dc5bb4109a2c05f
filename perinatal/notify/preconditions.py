"""Checks a message must still pass at the moment it is sent.

A message queued for later (a reminder) names what it depends on in ``Message.precondition``,
as ``"<kind>:<reference>"``. Apps register a check per kind; the worker asks it just before
sending and cancels the message instead when the answer is no (the appointment moved or was
cancelled since). An unknown kind is treated as still wanted, so nothing is silently dropped.
"""

from collections.abc import Callable

_checks: dict[str, Callable[[str], bool]] = {}


def register(kind: str, check: Callable[[str], bool]) -> None:
    _checks[kind] = check


def still_wanted(precondition: str) -> bool:
    if not precondition:
        return True
    kind, _, reference = precondition.partition(":")
    check = _checks.get(kind)
    return True if check is None else check(reference)
