"""Rendered page fragments (a programme's tree, an organisation's «Ansvar»), kept in the shared
cache (settings.CACHES["default"]: the database cache, or Redis) so every app server reuses
them, and never served stale or to the wrong viewer.

The key of a fragment holds
- what it shows (the programme, or the organisation and the programme expanded on its page),
- a version of the data: one value for the whole portal, replaced on every write to the models
  a fragment shows (the tree, parties, organisations, group memberships, plans) by the signal
  receivers below. A write inside a transaction replaces it at once and again after the commit,
  so a page rendered from the old data meanwhile by another request is never kept. The value is
  random rather than a counter: a version evicted from the cache can never come back and make
  an old fragment current again;
- the language,
- the viewer's class: which programmes the viewer may read ("all": administrators and board
  members; "planner-<org>": the public ones and the drafts of the planner's organisation;
  "public": everyone else). Two viewers share a fragment only when they may read exactly the
  same programmes, so a draft shown to its planners never reaches anyone else.

Fragments are zlib-compressed (HTML compresses about 13×), so the large ones stay small in the
database cache and in Redis.

Writes that bypass save() and delete() (QuerySet.update, bulk_create) send no signal. In the
services they are followed by a save of the same object in the same transaction, or (copying a
tree) happen in the transaction that creates the programme; a new writer of that kind must call
`bump_version()` itself.
"""

import uuid
import zlib
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from partnerskap.rules import is_administrator, is_board_member, is_planner

VERSION_KEY = "portal:render:version"
FRAGMENT_TIMEOUT = 60 * 60 * 24  # a day; a new version makes an older fragment unreachable
COMPRESS_LEVEL = 1  # fast: 240 KB of HTML in about 2 ms


def current_version() -> str:
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, timeout=None)
        version = cache.get(VERSION_KEY) or "none"
    return version


def _new_version() -> None:
    cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)


# Whether this process has used a fragment since it last replaced the version: only then must a
# write inside a transaction replace it at once (the same transaction may render the page again
# before it commits). A bulk load of thousands of rows then costs one cache write, not one each.
_used_since_bump = False


def bump_version() -> None:
    """Make every cached fragment unreachable: when the transaction commits (at once outside
    one), and at once too if this process has used a fragment since the last time."""
    global _used_since_bump
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        _used_since_bump = False
        _new_version()
        return
    if _used_since_bump:
        _used_since_bump = False
        _new_version()
    # Once per transaction (a savepoint rolled back drops it, and the next write adds it again).
    if not any(func is _new_version for _sids, func, _robust in connection.run_on_commit):
        transaction.on_commit(_new_version)


def viewer_class(user) -> str:
    """Which programmes the viewer may read, as a name: the same rule as
    programmes.visible_programmes()."""
    if is_administrator(user) or is_board_member(user):
        return "all"
    if is_planner(user) and user.organisasjon_id:
        return f"planner-{user.organisasjon_id}"
    return "public"


def fragment_key(kind: str, parts: tuple, user) -> str:
    what = ":".join(str(p) for p in parts)
    return f"portal:render:{kind}:{what}:{current_version()}:{get_language()}:{viewer_class(user)}"


def cached_fragment(
    kind: str, parts: tuple, user, build: Callable[[], tuple[Any, str]]
) -> tuple[Any, SafeString]:
    """(extra, html) from the cache, or from `build()` (then kept). `extra` is any small
    picklable value the page shows beside the fragment (a count)."""
    global _used_since_bump
    _used_since_bump = True
    key = fragment_key(kind, parts, user)
    hit = cache.get(key)
    if hit is not None:
        extra, packed = hit
        return extra, mark_safe(zlib.decompress(packed).decode())  # noqa: S308 (our own HTML)
    extra, html = build()
    cache.set(key, (extra, zlib.compress(html.encode(), COMPRESS_LEVEL)), FRAGMENT_TIMEOUT)
    return extra, mark_safe(html)  # noqa: S308 (rendered by a template, escaped there)


def _on_write(sender, **kwargs) -> None:
    bump_version()


def _on_m2m(sender, action: str, **kwargs) -> None:
    if action in ("post_add", "post_remove", "post_clear"):
        bump_version()


def connect_signals() -> None:
    """Called once from TiltakConfig.ready()."""
    from partnerskap.models import Gruppemedlemskap, Organisasjon, Region  # noqa: PLC0415
    from tiltak.models import (  # noqa: PLC0415
        Ansvar,
        Delmaal,
        Handlingsprogram,
        RegionalPlan,
        Satsingsomraade,
        Tema,
        Tiltak,
    )

    for model in (
        Handlingsprogram,
        Tema,
        Delmaal,
        Satsingsomraade,
        Tiltak,
        Ansvar,
        RegionalPlan,
        Organisasjon,
        Gruppemedlemskap,
        Region,
    ):
        uid = f"render-cache-{model._meta.label_lower}"
        post_save.connect(_on_write, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(_on_write, sender=model, dispatch_uid=f"{uid}-delete")
    m2m_changed.connect(
        _on_m2m, sender=Handlingsprogram.planer.through, dispatch_uid="render-cache-planer"
    )
