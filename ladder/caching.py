"""Content versions, and whole-page caching for anonymous GET requests keyed by them.

Two content versions: the ladder's (families, levels, items, grades) and the postings'. A
posting write never changes the ladder's number, so it throws away no ladder page and no
matching index; posting pages show ladder levels too, so they are keyed by both numbers.
Every family also keeps a stamp, the ladder version that last changed it (its own edit, or a
level it extends), so caches of one family's data can be kept across edits of other families.

Views opt in with ``@cached_page``; ``PageCacheMiddleware`` does the caching. It sits right
after WhiteNoise, so a hit skips sessions, CSRF, authentication, URL resolution and the view
and costs one shared-cache read for the content version plus one for the page: no query.
Pages of one family (its page, level pages, history, the level options of its picker and a
compare partial of its own levels) are keyed by that family's token instead of the ladder's
number (``family_token``: its stamp and its reports-to neighbours'), one more read, so an
edit of another family keeps them; pages that list families (home, search, grades, the
compare page's pickers) keep the ladder's number, which every write changes. The
stored response keeps the headers the inner middleware added (CSP, frame options, Vary), so a
page from the cache is the same page. Signed-in people (staff see edit controls), anything
but a plain 200/404 and any response that sets a cookie bypass the cache. A missing page is
rendered once however many readers ask for it at the same moment: the first claims the render,
the others wait for its page (``_claim_or_wait``), as fresh as their own would be. Every
page key also holds the release (``release``: a fingerprint of the code, templates and static
files), so an upgrade never serves pages rendered by the code before it.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from collections.abc import Callable, Iterable
from functools import cache as memoised
from functools import wraps
from pathlib import Path

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.exceptions import DisallowedHost
from django.db import connection, transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from ladder.access import trusted_header_key
from ladder.models import JobFamily, Level, SiteVersion

log = logging.getLogger(__name__)

PERSONAL_COOKIES = ("sessionid", "messages")
# Request headers that change what a cached view answers (HTMX asks for a partial).
VARY_HEADERS = ("HX-Request", "HX-Target", "HX-History-Restore-Request")
# Cookies are personal; a response that sets one is not stored at all, this is belt and braces.
UNSTORED_HEADERS = {"set-cookie"}


def cached_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Let ``PageCacheMiddleware`` keep this view's answers until the next import or edit."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        # On the request, not the response: a 404 raised by the view is cacheable too.
        request.ladder_cacheable = True
        return view(request, *args, **kwargs)

    return wrapped


# The files a page is rendered with: a page stored by another release of Ladder (other
# markup, links to its own static files' hashed names) is never served by this one.
RELEASE_FOLDERS = ("templates", "static", "ladder", "postings")
RELEASE_SUFFIXES = frozenset({".html", ".py", ".css", ".js", ".svg", ".txt", ".json"})


@memoised
def release() -> str:
    """A fingerprint of this release's code, templates and static files, part of every page
    key: after an upgrade, or beside an app server still on the previous release during a
    rolling deploy, each serves only pages rendered by its own code. Derived from the files,
    not from the ladder, so one value per process is right; about 5 ms, once."""
    digest = hashlib.sha256()
    root = Path(settings.BASE_DIR)
    for folder in RELEASE_FOLDERS:
        for path in sorted((root / folder).rglob("*")):
            if path.suffix in RELEASE_SUFFIXES and path.is_file():
                digest.update(str(path.relative_to(root)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _is_personal(request: HttpRequest) -> bool:
    names = (settings.SESSION_COOKIE_NAME, *PERSONAL_COOKIES)
    return any(name in request.COOKIES for name in names)


def page_key(request: HttpRequest) -> str | None:
    """The cache key of this request's page, or None when it must not come from the cache."""
    if request.method != "GET" or settings.LADDER_PAGE_CACHE_SECONDS <= 0:
        return None
    if _is_personal(request):
        return None
    if settings.LADDER_PRIVATE:
        # Only visitors who are not signed in are served from here, and a private ladder shows
        # them nothing; a page stored while the ladder was public must not reach them either.
        return None
    if settings.LADDER_TRUSTED_HEADER and trusted_header_key() in request.META:
        # The proxy names a person: TrustedHeaderMiddleware signs them in further down.
        return None
    # get_host() checks ALLOWED_HOSTS, which the skipped CommonMiddleware would have done; in
    # the key so that no page rendered for one host name is served for another.
    host = request.get_host()
    varying = ":".join(request.headers.get(name, "") for name in VARY_HEADERS)
    raw = f"{release()}\n{host}\n{varying}\n{request.get_full_path()}"
    digest = hashlib.sha256(raw.encode()).hexdigest()[:40]
    if _shows_postings(request.path):
        ladder, postings = content_versions(LADDER, POSTINGS)
        return f"ladder:page:{ladder}:{postings}:{digest}"
    version = content_version()
    shown = _families_shown(request)
    if shown is not None:
        slugs, lists_families = shown
        tokens = page_tokens(slugs, lists_families=lists_families, version=version)
        if tokens is not None:
            # Not the ladder's number: an edit of another family leaves this page cached.
            return f"ladder:page:f:{_digest(tokens)}:{digest}"
        # An unknown family's 404 waits for the import that may create it: the global number.
    return f"ladder:page:{version}:{digest}"


def _digest(parts: Iterable[str]) -> str:
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:24]


_FAMILY_PATH = re.compile(r"^families/([a-z0-9_-]+)/")
# More families than a comparison shows: the page is an error, keyed by the ladder's number.
MAX_FAMILIES_SHOWN = 8


def _families_shown(request: HttpRequest) -> tuple[list[str], bool] | None:
    """The families whose data this page shows (each with its linked families, see
    ``family_token``) and whether it lists every family (a picker); None for a page keyed
    by the ladder's number (home, search, grades: they show any family's levels).

    Read from the path, before URL resolution: a family's page, level pages and history, the
    level ``<option>``s of its picker, and the compare page and partials, which show their
    columns' families (and the family picker, on the whole page and the compare area).
    """
    root = reverse("ladder:index")
    path = request.path
    if not path.startswith(root):
        return None
    path = path[len(root) :]
    if match := _FAMILY_PATH.match(path):
        return [match.group(1)], False
    if path == "compare/levels/":
        # The view answers for the first non-empty family parameter.
        slug = next((v for k, v in request.GET.items() if k.startswith("family") and v), "")
        return ([slug], False) if slug else None
    if path == "compare/" and "find" not in request.GET:
        # Each column's family, and any family a picker switched to (its first level).
        slugs = {value.strip().partition("/")[0] for value in request.GET.getlist("level")}
        slugs |= {v.strip() for k, v in request.GET.items() if k.startswith("family")}
        slugs.discard("")
        if len(slugs) > MAX_FAMILIES_SHOWN:
            return None
        headers = request.headers
        table_only = (
            headers.get("HX-Request") == "true"
            and headers.get("HX-Target", "") != "compare-area"
            and headers.get("HX-History-Restore-Request") != "true"
        )
        return sorted(slugs), not table_only
    return None


def _shows_postings(path: str) -> bool:
    """Posting pages (and their API) show postings and ladder levels; every other page shows
    only the ladder, so a posting write leaves it cached."""
    prefixes = (reverse("postings:list"), reverse("postings:api-list"))
    return path.startswith(prefixes)


# One render per missing page: after an edit, the readers asking for the same page at once
# (a popular family's page, the search everyone runs) wait for the first one's render instead of
# each rendering it (on two cores, a dozen renders of one page queue every other request behind
# them). They wait while the render is under way, at most LADDER_PAGE_RENDER_WAIT_SECONDS (then
# render it themselves: by then their own render would not have been quicker); a render holds
# its claim at most RENDER_CLAIM_SECONDS (a worker killed mid-render blocks no one longer).
RENDER_CLAIM_SECONDS = 10
RENDER_POLL_SECONDS = 0.01
# The claim left behind by a page the cache does not keep (an error, a view that does not opt
# in): the next requests render at once rather than wait for a page that never comes.
_NOT_STORED = "not-stored"


class PageCacheMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        claim = None
        try:
            key = page_key(request)
            hit = cache.get(key) if key else None
            if key and hit is None and settings.LADDER_PAGE_RENDER_WAIT_SECONDS > 0:
                claim, hit = _claim_or_wait(key)
        except DisallowedHost:
            key = hit = None  # CommonMiddleware answers 400 and logs it
        except Exception:  # noqa: BLE001 - a cache or database outage: the normal path answers
            if request.method == "GET":
                log.warning("page cache unavailable for %s", request.path, exc_info=True)
            key = hit = None
        if hit is not None:
            content, status, headers = hit
            response = HttpResponse(content, status=status)
            for name, value in headers:
                response.headers[name] = value
            return response
        stored = False
        try:
            response = self.get_response(request)
            if key and self._storable(request, response):
                headers = [
                    (name, value)
                    for name, value in response.headers.items()
                    if name.lower() not in UNSTORED_HEADERS
                ]
                try:
                    cache.set(
                        key,
                        (response.content, response.status_code, headers),
                        settings.LADDER_PAGE_CACHE_SECONDS,
                    )
                    stored = True
                except Exception:  # noqa: BLE001 - a cache outage must not fail the page
                    log.warning("page cache could not store %s", request.path, exc_info=True)
        finally:
            if claim:
                _release(claim, stored)
        return response

    @staticmethod
    def _storable(request: HttpRequest, response: HttpResponse) -> bool:
        return (
            getattr(request, "ladder_cacheable", False)
            and response.status_code in (200, 404)
            and not response.streaming
            and not response.cookies
        )


def _claim_or_wait(key: str) -> tuple[str | None, tuple | None]:
    """Claim the render of the page ``key`` (the claim's key, no page), or wait for the
    render another request claimed (no claim, its page; or no page when it failed, did not
    store it or took longer than LADDER_PAGE_RENDER_WAIT_SECONDS: render it here)."""
    claim = f"{key}:rendering"
    if cache.add(claim, 1, RENDER_CLAIM_SECONDS):
        return claim, None
    deadline = time.monotonic() + settings.LADDER_PAGE_RENDER_WAIT_SECONDS
    while True:
        found = cache.get_many([key, claim])
        if key in found:
            return None, found[key]
        if found.get(claim) != 1 or time.monotonic() >= deadline:
            return None, None
        time.sleep(RENDER_POLL_SECONDS)


def _release(claim: str, stored: bool) -> None:
    try:
        if stored:
            cache.delete(claim)
        else:
            cache.set(claim, _NOT_STORED, RENDER_CLAIM_SECONDS)
    except Exception:  # noqa: BLE001 - a cache outage: the claim expires on its own
        log.warning("page cache could not release %s", claim, exc_info=True)


# --------------------------------------------------------------------------- content versions

# Each number lives in the database (it changes in the writing transaction, so it can never
# run ahead of the data) and is published to the shared cache when that transaction commits,
# so a page served from the cache costs no query at all.
LADDER = "ladder"
POSTINGS = "postings"
# One SiteVersion row per kind (row 1 predates the postings' own number).
VERSION_ROWS = {LADDER: 1, POSTINGS: 2}
# How long a number published by a writer that died between its commit and its publication
# (or two writers publishing out of order) can stay stale, at worst.
VERSION_SECONDS = 5


def _version_key(kind: str) -> str:
    # The ladder's key is the one used before postings had a number of their own.
    return "ladder:content-version" if kind == LADDER else f"ladder:content-version:{kind}"


def _stored_versions(kinds: Iterable[str]) -> dict[str, int]:
    rows = dict(
        SiteVersion.objects.filter(pk__in=[VERSION_ROWS[k] for k in kinds]).values_list(
            "pk", "number"
        )
    )
    return {kind: rows.get(VERSION_ROWS[kind], 0) for kind in kinds}


def content_versions(*kinds: str) -> tuple[int, ...]:
    """The current numbers of these kinds, from the shared cache (one read) when it can."""
    if connection.in_atomic_block or isinstance(caches["default"], LocMemCache):
        # A writer reads its own uncommitted number, which must never reach the shared cache;
        # and a process-local cache could not tell the other workers about a new number.
        stored = _stored_versions(kinds)
        return tuple(stored[kind] for kind in kinds)
    keys = {kind: _version_key(kind) for kind in kinds}
    found = cache.get_many(list(keys.values()))
    missing = [kind for kind in kinds if keys[kind] not in found]
    if missing:
        for kind, number in _stored_versions(missing).items():
            found[keys[kind]] = number
            # add, not set: a writer that committed meanwhile has published a newer number.
            cache.add(keys[kind], number, VERSION_SECONDS)
    return tuple(found[keys[kind]] for kind in kinds)


def content_version(kind: str = LADDER) -> int:
    """The number cache keys include; the ladder's changes with every ladder import and edit,
    the postings' with every posting import, confirmation and delete."""
    return content_versions(kind)[0]


def bump_content_version(kind: str = LADDER, *, family_ids: Iterable[int] = ()) -> int:
    """Call inside the writing transaction: readers see the new number when the data commits.

    ``family_ids`` (ladder only): the families whose pages or effective lists changed; their
    stamp becomes the new number. Returns the new number.
    """
    row = VERSION_ROWS[kind]
    if not SiteVersion.objects.filter(pk=row).update(number=F("number") + 1):
        SiteVersion.objects.get_or_create(pk=row, defaults={"number": 1})
    number = _stored_versions([kind])[kind]
    ids = set(family_ids)
    if ids:
        JobFamily.objects.filter(pk__in=ids).update(stamp=number)
    transaction.on_commit(lambda: _publish_version(kind), robust=True)
    return number


def _publish_version(kind: str) -> None:
    cache.set(_version_key(kind), _stored_versions([kind])[kind], VERSION_SECONDS)


FAMILY_LIST = "family-list"


def page_tokens(
    slugs: list[str], *, lists_families: bool = False, version: int | None = None
) -> list[str] | None:
    """What a page showing these families (and, with ``lists_families``, a picker of every
    family) is cached under; None when one of them does not exist.

    One cache read for all of them; each missing part costs one small query, once per ladder
    version (see ``family_token`` and ``family_list_token``).
    """
    version = content_version() if version is None else version
    keys = {f"ladder:family-token:{version}:{slug}": slug for slug in slugs}
    if lists_families:
        keys[f"ladder:family-token:{version}:"] = FAMILY_LIST
    found = cache.get_many(list(keys))
    tokens = []
    for key, slug in keys.items():
        token = found.get(key)
        if token is None:
            token = _family_list_token() if slug == FAMILY_LIST else _family_token(slug)
            cache.set(key, token)
        if not token:
            return None
        tokens.append(f"{slug}:{token}")
    return tokens


def family_token(slug: str, version: int | None = None) -> str:
    """The token a family's pages are cached under ("" for no such family), cached per
    ladder version: one small query when the version changes, none after.

    A family's pages show its own data and, by reports-to links either way, titles of levels
    and families elsewhere ("reports to", "reporting to it"). Extends are covered by the
    stamp already (an edit stamps every family extending what changed); these links are not,
    and removing one changes a family that no write names: the family whose level lost a
    report. So the token digests the stamps of the family and of every family linked to it
    now. A changed stamp, a link gained or a link lost changes it; stamps never go back, so
    a token never comes back to name an older page.
    """
    tokens = page_tokens([slug], version=version)
    return tokens[0].partition(":")[2] if tokens else ""


def _family_token(slug: str) -> str:
    # Families this one's levels report to, and families whose levels report to this one's,
    # each by an indexed join from the family's slug, so the cost is the same at any size.
    # Plain SQL: after every edit each family's first request asks once, and the ORM took
    # four times as long to build the query as the database took to answer it.
    family, level = JobFamily._meta.db_table, Level._meta.db_table
    sql = f"""
        SELECT f.id, f.stamp, f.slug FROM {family} f WHERE f.slug = %s
        UNION
        SELECT m.family_id, mf.stamp, mf.slug FROM {level} l
          JOIN {family} lf ON lf.id = l.family_id
          JOIN {level} m ON m.id = l.reports_to_id
          JOIN {family} mf ON mf.id = m.family_id
         WHERE lf.slug = %s
        UNION
        SELECT l.family_id, rf.stamp, rf.slug FROM {level} l
          JOIN {level} m ON m.id = l.reports_to_id
          JOIN {family} mf ON mf.id = m.family_id
          JOIN {family} rf ON rf.id = l.family_id
         WHERE mf.slug = %s
    """  # noqa: S608 - table names from the models, the slug a parameter
    with connection.cursor() as cursor:
        cursor.execute(sql, [slug, slug, slug])
        stamps = sorted(cursor.fetchall())
    if not any(found == slug for _pk, _stamp, found in stamps):
        return ""
    return _digest(f"{pk}.{stamp}" for pk, stamp, _slug in stamps)


def _family_list_token() -> str:
    """The family picker's content: changes when a family is added, deleted or renamed, not
    when one is edited otherwise (the picker shows slugs and titles only)."""
    return _digest(f"{slug}\t{title}" for slug, title in family_choices()) or "-"


def family_stamps() -> dict[str, int]:
    """Family slug → the ladder version that last changed that family (cached per version)."""
    key = f"ladder:family-stamps:{content_version()}"
    stamps = cache.get(key)
    if stamps is None:
        stamps = dict(JobFamily.objects.values_list("slug", "stamp"))
        cache.set(key, stamps)
    return stamps


def family_choices() -> list[tuple[str, str]]:
    """(slug, title) of every family by title, for pickers; cached per content version."""
    key = f"ladder:family-choices:{content_version()}"
    choices = cache.get(key)
    if choices is None:
        choices = list(JobFamily.objects.order_by("title").values_list("slug", "title"))
        cache.set(key, choices)
    return choices
