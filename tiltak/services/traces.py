"""Whether a tiltak has left traces others rely on, so that deleting it must keep the row
(marked deleted, restorable) instead of removing it.

The checks live in the registry of tiltak/extensions.py, where hearings and reports add theirs
from their AppConfig.ready(). The two of tiltak itself are registered here, when this module is
imported: TiltakConfig.ready() imports it, so they are there in every process, tests included.
"""

from __future__ import annotations

from collections.abc import Collection

from django.db.models import Q

from tiltak.extensions import register_trace_check, tiltak_ids_with_traces
from tiltak.models import Tiltak

from .history import BASELINE


@register_trace_check
def has_history_beyond_creation(ids: Collection[int]) -> set[int]:
    """Tiltak that were changed after they were created. The demo loader's baseline row
    («Innlest fra kilden», services/history.py) is part of loading, not a change."""
    return set(
        Tiltak.history.filter(id__in=ids)
        .exclude(history_type="+")
        .exclude(BASELINE)
        .values_list("id", flat=True)
    )


@register_trace_check
def is_linked_by_rolling(ids: Collection[int]) -> set[int]:
    """Tiltak that a successor or a merged tiltak (in another period) points to; a hard delete
    would cut that link."""
    linked = Tiltak.alle.filter(Q(forgjenger_id__in=ids) | Q(slaatt_sammen_med_id__in=ids))
    found: set[int] = set()
    for forgjenger_id, merged_into_id in linked.values_list(
        "forgjenger_id", "slaatt_sammen_med_id"
    ):
        found.update((forgjenger_id, merged_into_id))
    return found & set(ids)


def tiltak_has_traces(tiltak: Tiltak) -> bool:
    """True when the tiltak must be kept on delete: it was changed after it was created, other
    tiltak were rolled or merged from it, or a check another app registered (hearing answers,
    reports) says so."""
    return tiltak.pk in tiltak_ids_with_traces([tiltak.pk])
