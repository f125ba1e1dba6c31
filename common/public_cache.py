"""Rendered public responses, cached and never stale.

A public response (a page in one language, a feed, the API) is stored in the "public" cache under
a key made of everything it depends on: the release, the public data version, the language, the
Helsinki date and minute ("today" and "open now"), the host and scheme, htmx or not, the path and
the query. The data version is one database row (`PublicDataVersion`) that moves after every
committed write to a table residents may read, however the write was made: every SQL statement
goes through `watch_writes`, installed on each database connection. Since the version is read
from the database, not from Redis, a write made while Redis was away still retires what Redis
held before it.

Requests with a session cookie or credentials, and everything under /staff/ and /admin/, pass by
the cache both ways. When Redis fails, the cache is left alone for a few seconds and responses are
rendered as if there were none.
"""

import functools
import gzip
import hashlib
import logging
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.translation import get_language_from_request

logger = logging.getLogger(__name__)

VERSION_TABLE = "common_publicdataversion"
READ_VERSION = "SELECT value FROM common_publicdataversion WHERE id = 1"
# The row is made by the first write (a flushed test database has none).
BUMP_VERSION = (
    "INSERT INTO common_publicdataversion (id, value) VALUES (1, 1) "
    "ON CONFLICT (id) DO UPDATE SET value = common_publicdataversion.value + 1"
)

WRITE = re.compile(r'\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM|REPLACE\s+INTO)\s+["`]?(\w+)', re.I)
# Tables no resident reads: sessions, logins, the admin's log, audit history, the version itself,
# residents' subscriptions and their mails, and the pilot's figures.
PRIVATE_TABLES = re.compile(
    r"django_session|django_admin_log|(axes|auth)_\w+|\w+_historical\w+|"
    r"visits_(subscription|notice|delivery|visitrecord|contact)\w*|servicepoints_servicepointdailycount\w*|"
    + VERSION_TABLE
)

PUBLIC_PATHS = re.compile(r"/(?:(?:fi|sv|en)/(?!staff/)|calendar\.ics$|visits/\d+\.ics$|api/v1/)")
# Response headers that belong to one response only.
UNSTORED_HEADERS = {"date", "set-cookie"}


# --- The data version --------------------------------------------------------------------------


# The version this process read last: while the database is unreachable nothing can be written,
# so what was stored under it may still answer (see PublicResponseCacheMiddleware).
last_seen_version: int | None = None


def data_version(using: str = DEFAULT_DB_ALIAS) -> int:
    global last_seen_version
    with connections[using].cursor() as cursor:
        cursor.execute(READ_VERSION)
        row = cursor.fetchone()
    last_seen_version = row[0] if row else 0
    return last_seen_version


def bump_version(using: str = DEFAULT_DB_ALIAS) -> None:
    """Move the version now, in a statement of its own (the caller's transaction has committed)."""
    try:
        with connections[using].cursor() as cursor:
            cursor.execute(BUMP_VERSION)
    except DatabaseError as error:
        # Outside a transaction, so nothing else is rolled back with it.
        if VERSION_TABLE in str(error):  # not migrated yet: the writes of the migrations before it
            logger.debug("No public data version yet: %s", error)
        else:  # the database has just gone away; entries expire after PUBLIC_CACHE_SECONDS
            logger.warning("The public data version could not be moved: %s", error)


@functools.cache
def _bump_after_commit(using: str) -> Callable[[], None]:
    """One callable per database: a transaction's callbacks are searched for it (see `_pending`)."""

    def bump_public_data_version() -> None:
        bump_version(using)

    return bump_public_data_version


def _pending(connection) -> bool:
    """Whether this connection's open transaction wrote public data that has not committed: its
    own reads must not be answered from the cache, nor cached."""
    bump = _bump_after_commit(connection.alias)
    return connection.in_atomic_block and any(entry[1] is bump for entry in connection.run_on_commit)


def watch_writes(execute, sql, params, many, context):
    """An execute wrapper: after a write to a public table, the version moves when it commits."""
    result = execute(sql, params, many, context)
    match = WRITE.match(sql)
    if match and not PRIVATE_TABLES.fullmatch(match.group(1)):
        connection = context["connection"]
        if not connection.in_atomic_block:
            bump_version(connection.alias)  # autocommit: the write has committed
        elif not _pending(connection):
            # robust: the data has committed by then; a failed bump must not turn that into a 500.
            transaction.on_commit(_bump_after_commit(connection.alias), using=connection.alias, robust=True)
    return result


def install_write_watch(sender, connection, **kwargs) -> None:
    """connection_created receiver: every connection of every process watches its writes."""
    if watch_writes not in connection.execute_wrappers:
        connection.execute_wrappers.append(watch_writes)


# --- The release ----------------------------------------------------------------------------


@functools.cache
def release() -> str:
    """What a new deployment changes: code, templates, catalogues, the static files' manifest.
    `RELEASE` names it when set; otherwise the files' sizes and times are hashed once per process."""
    if settings.RELEASE:
        return settings.RELEASE
    digest = hashlib.blake2b(digest_size=8)
    base = Path(settings.BASE_DIR)
    folders = [folder for folder in base.iterdir() if folder.is_dir() and (folder / "__init__.py").exists()]
    paths = [path for folder in folders for path in folder.rglob("*.py")]
    for pattern in ("templates/**/*.html", "locale/**/*.mo", "staticfiles/staticfiles.json"):
        paths += base.glob(pattern)
    for path in sorted(paths):
        stat = path.stat()
        digest.update(f"{path}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()


# --- The cache ------------------------------------------------------------------------------


class _Breaker:
    """After a cache error, leave the cache alone for a while instead of waiting on it per request."""

    def __init__(self) -> None:
        self.open_until = 0.0

    @property
    def closed(self) -> bool:
        return time.monotonic() >= self.open_until

    def call(self, method: str, *args, default=None):
        if not self.closed:
            return default
        try:
            return getattr(caches[settings.PUBLIC_CACHE_ALIAS], method)(*args)
        except Exception:  # any failure of the cache's server or its client
            logger.warning("Public response cache unavailable; rendering without it", exc_info=True)
            self.open_until = time.monotonic() + settings.PUBLIC_CACHE_RETRY_SECONDS
            return default


breaker = _Breaker()


class _RecentResponses:
    """This process's most recently used entries, in front of the shared cache: the same keys, so
    as true as the shared cache (the data version is in every key), without a round trip to Redis.
    Bounded by the bytes of the bodies it holds."""

    def __init__(self) -> None:
        self.entries: OrderedDict[str, tuple] = OrderedDict()
        self.size = 0
        self.lock = threading.Lock()

    def get(self, key: str):
        with self.lock:
            entry = self.entries.get(key)
            if entry is not None:
                self.entries.move_to_end(key)
            return entry

    def put(self, key: str, entry: tuple) -> None:
        size = _entry_size(entry)
        if size > settings.PUBLIC_CACHE_LOCAL_BYTES:
            return
        with self.lock:
            if key in self.entries:
                return
            self.entries[key] = entry
            self.size += size
            while self.size > settings.PUBLIC_CACHE_LOCAL_BYTES:
                _, dropped = self.entries.popitem(last=False)
                self.size -= _entry_size(dropped)

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()
            self.size = 0


recent = _RecentResponses()


def _cacheable_request(request: HttpRequest) -> bool:
    return (
        request.method == "GET"
        and PUBLIC_PATHS.match(request.path_info) is not None
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "authorization" not in request.headers
        and breaker.closed
    )


def _key(request: HttpRequest, version: int) -> str:
    now = timezone.localtime()
    parts = (
        release(),
        str(version),
        get_language_from_request(request, check_path=True),
        now.strftime("%Y-%m-%dT%H:%M"),
        request.scheme,
        request.get_host(),
        request.headers.get("HX-Request", ""),
        request.get_full_path(),
    )
    return "response:" + hashlib.blake2b("\n".join(parts).encode(), digest_size=20).hexdigest()


def _cacheable_response(request: HttpRequest, response: HttpResponse) -> bool:
    user = getattr(request, "user", None)
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and "private" not in response.get("Cache-Control", "")
        and "no-store" not in response.get("Cache-Control", "")
        and not (user is not None and user.is_authenticated)
    )


ACCEPTS_GZIP = re.compile(r"\bgzip\b")
# Bodies this small gain nothing from compression.
GZIP_FROM_BYTES = 512


def _entry(response: HttpResponse) -> tuple:
    """What is stored of a response: its headers, its body, and the body gzipped once here
    rather than per request (public responses carry no secret, so compressing them reveals none)."""
    patch_vary_headers(response, ("Accept-Encoding",))
    headers = [(name, value) for name, value in response.items() if name.lower() not in UNSTORED_HEADERS]
    compressed = None
    if len(response.content) >= GZIP_FROM_BYTES and not response.has_header("Content-Encoding"):
        compressed = gzip.compress(response.content, compresslevel=6, mtime=0)
    return headers, response.content, compressed


def _entry_size(entry: tuple) -> int:
    return len(entry[1]) + len(entry[2] or b"")


def _from_entry(request: HttpRequest, entry: tuple) -> HttpResponse:
    headers, content, compressed = entry
    if compressed is not None and ACCEPTS_GZIP.search(request.headers.get("Accept-Encoding", "")):
        response = HttpResponse(compressed, headers=headers)
        response.headers["Content-Encoding"] = "gzip"
        response.headers["Content-Length"] = str(len(compressed))
        # Another body under the same name: the ETag says so (as Django's GZipMiddleware does).
        if (etag := response.get("ETag", "")) and not etag.startswith("W/"):
            response.headers["ETag"] = f"W/{etag}"
    else:
        response = HttpResponse(content, headers=headers)
    if "if-none-match" in request.headers:
        return get_conditional_response(request, etag=response.get("ETag"), response=response)
    return response


class PublicResponseCacheMiddleware:
    """Answers public GET requests from the cache, or renders them and stores the result.

    Placed right after WhiteNoise: a stored response already carries the headers the middleware
    below it set (CSP, language, ETag), and a hit skips them. A conditional request whose ETag
    matches the stored one is answered 304 without rendering.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not _cacheable_request(request):
            return self.get_response(request)
        connection = connections[DEFAULT_DB_ALIAS]
        try:
            if _pending(connection):
                return self.get_response(request)
            # The version is read before the data: a response rendered from older data can only
            # be stored under an older version.
            key = _key(request, data_version())
        except DatabaseError:
            return self._while_database_unreachable(request)
        except Exception:  # a host not allowed, and the like: the view's own handling answers
            return self.get_response(request)
        entry = recent.get(key)
        if entry is not None:
            return _from_entry(request, entry)
        entry = breaker.call("get", key)
        lock = f"{key}:lock"
        if entry is None and not breaker.call("add", lock, 1, settings.PUBLIC_CACHE_LOCK_SECONDS, default=True):
            entry = self._wait_for(key)  # another request is rendering it
        if entry is not None:
            recent.put(key, entry)
            return _from_entry(request, entry)
        try:
            response = self.get_response(request)
            if not _cacheable_response(request, response) or _pending(connection):
                return response
            entry = _entry(response)
            recent.put(key, entry)
            breaker.call("set", key, entry, settings.PUBLIC_CACHE_SECONDS)
        finally:
            breaker.call("delete", lock)
        return _from_entry(request, entry)

    def _while_database_unreachable(self, request: HttpRequest) -> HttpResponse:
        """A database restarting: what was stored under the last version this process saw still
        answers (nothing can be written meanwhile); anything else meets the outage in the view
        and gets a 503 (common.http.DatabaseUnavailableMiddleware)."""
        if last_seen_version is not None:
            key = _key(request, last_seen_version)
            entry = recent.get(key) or breaker.call("get", key)
            if entry is not None:
                return _from_entry(request, entry)
        return self.get_response(request)

    @staticmethod
    def _wait_for(key: str):
        deadline = time.monotonic() + settings.PUBLIC_CACHE_LOCK_SECONDS
        while time.monotonic() < deadline and breaker.closed:
            time.sleep(0.02)
            entry = breaker.call("get", key)
            if entry is not None:
                return entry
        return None
