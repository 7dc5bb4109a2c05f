"""Links for every row of a list, at the cost of one ``reverse()``."""

from collections.abc import Callable

from django.urls import reverse

# Stands in for the key while the URL is reversed once; no real primary key comes near it.
_MARK = 987_654_321_987_654_321


def linker(viewname: str) -> Callable[[int], str]:
    """``linker(name)(pk) == reverse(name, args=[pk])`` for a URL whose one argument is an
    integer key.

    ``reverse()`` walks the resolver on every call; a queue or a timeline that links each of
    its rows asks for the same pattern dozens of times per page. Call it while handling the
    request (the script prefix is the request's), once per list.
    """
    head, tail = reverse(viewname, args=[_MARK]).split(str(_MARK))
    return lambda pk: f"{head}{int(pk)}{tail}"
