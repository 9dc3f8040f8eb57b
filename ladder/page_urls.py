"""``reverse()`` for the URLs a page prints dozens of times: one reverse per URL name, then
string filling.

A cold level page called ``reverse()`` two dozen times (breadcrumbs, track, reports, items'
sources, the header), each a resolver walk, argument checks and quoting: about a tenth of its
CPU time. ``page_url`` reverses each URL name once per process (per URL configuration and
script prefix: both come from code and settings, never from ladder content) with marker
arguments, and fills the markers in afterwards.

    page_url("ladder:level", "sales-operations", "manager")
    # "/families/sales-operations/manager/", as reverse() would say
"""

from __future__ import annotations

import re
from functools import lru_cache

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

# The arguments page URLs take are slugs: they match the URL converters as they are and need
# no quoting. Anything else goes to reverse(), which checks it
# (and raises NoReverseMatch) as before.
_PLAIN_ARGUMENT = re.compile(r"[-a-zA-Z0-9_]+")  # the slug converter's own pattern
_MARKER = "zzpageurlargument{}zz"


@lru_cache(maxsize=128)
def _pattern(urlconf: str | None, script_prefix: str, name: str, arity: int) -> str | None:
    # The resolver itself checks the markers against the converters: a URL whose arguments
    # are not slugs (the grade's ``\d+``) has no pattern here and is reversed every time.
    markers = [_MARKER.format(i) for i in range(arity)]
    try:
        url = reverse(name, args=markers, urlconf=urlconf)
    except Exception:  # noqa: BLE001 - NoReverseMatch and friends: reverse() each time
        return None
    if any(url.count(marker) != 1 for marker in markers):
        return None
    return url


def page_url(name: str, *args: str) -> str:
    """``reverse(name, args=args)``, from a pattern reversed once per URL configuration."""
    if all(type(arg) is str and _PLAIN_ARGUMENT.fullmatch(arg) for arg in args):
        urlconf = get_urlconf() or settings.ROOT_URLCONF
        pattern = _pattern(urlconf, get_script_prefix(), name, len(args))
        if pattern is not None:
            for i, arg in enumerate(args):
                pattern = pattern.replace(_MARKER.format(i), arg)
            return pattern
    return reverse(name, args=args)
