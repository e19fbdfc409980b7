"""The pending upload of an Excel import, between its preview and its apply.

The file goes through Django's storage API (``default_storage``: MEDIA_ROOT on the filesystem,
or S3-compatible object storage when configured, see settings «Storage»), under
``excel-pending/<epoch>-<random>.xlsx``. The name is the token the user's session keeps, so the
preview may run on one app server and the apply on another: nothing is kept in a server's own
temporary directory. The time of the upload is part of the name, so the age is known without a
metadata request per file (object stores charge one per object), and ``clean_stale`` (run by
``manage.py periodic``) can delete abandoned uploads from a listing alone.
"""

from __future__ import annotations

import re
import secrets
import time

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

PREFIX = "excel-pending/"


def max_age() -> int:
    """Seconds a pending upload is kept (settings.EXCEL_PENDING_MAX_AGE_HOURS, default 6)."""
    return int(getattr(settings, "EXCEL_PENDING_MAX_AGE_HOURS", 6) * 60 * 60)


_TOKEN_RE = re.compile(r"^(?P<stamp>[0-9]{10})-[A-Za-z0-9_-]{32,64}$")


def _name(token: str) -> str:
    return f"{PREFIX}{token}.xlsx"


def _stamp(token: object) -> int | None:
    """The upload time in the token, None when it is not a token at all."""
    if not isinstance(token, str):
        return None
    match = _TOKEN_RE.match(token)
    return int(match["stamp"]) if match else None


def store(data: bytes, *, now: float | None = None) -> str:
    """Keep the file; return its token (the only way to find it again)."""
    token = f"{int(now if now is not None else time.time()):010d}-{secrets.token_urlsafe(32)}"
    saved = default_storage.save(_name(token), ContentFile(data))
    if saved != _name(token):  # a storage renamed it: the token would not find it again
        default_storage.delete(saved)
        raise RuntimeError(f"storage stored the pending upload as {saved!r}")
    return token


def read(token: object, *, now: float | None = None) -> bytes | None:
    """The file's bytes, or None when the token is malformed, too old or the file gone."""
    stamp = _stamp(token)
    if not isinstance(token, str) or stamp is None:
        return None
    if stamp < (now if now is not None else time.time()) - max_age():
        return None
    try:
        with default_storage.open(_name(token), "rb") as fh:
            return fh.read()
    except OSError:  # FileNotFoundError among them: gone
        return None


def exists(token: object) -> bool:
    return (
        isinstance(token, str)
        and _stamp(token) is not None
        and default_storage.exists(_name(token))
    )


def discard(token: object) -> None:
    """Delete the file (nothing happens when it is already gone or the token is malformed)."""
    if isinstance(token, str) and _stamp(token) is not None:
        default_storage.delete(_name(token))


def clean_stale(*, now: float | None = None) -> int:
    """Delete every pending upload older than max_age seconds (files under the prefix that
    are not named like one are left alone). Safe to run twice at once: deleting a file that is
    already gone is not an error for the storages used here. Returns how many were deleted."""
    limit = (now if now is not None else time.time()) - max_age()
    try:
        _dirs, files = default_storage.listdir(PREFIX)
    except FileNotFoundError:  # nothing was ever uploaded
        return 0
    deleted = 0
    for filename in files:
        stamp = _stamp(filename.removesuffix(".xlsx")) if filename.endswith(".xlsx") else None
        if stamp is not None and stamp < limit:
            default_storage.delete(PREFIX + filename)
            deleted += 1
    return deleted


def periodic_clean() -> str:
    """The periodic job (settings.PERIODIC_JOBS, `manage.py periodic`)."""
    return f"{clean_stale()} stale pending Excel uploads deleted"
