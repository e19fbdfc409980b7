"""The hearing's trace check (tiltak.extensions): a tiltak that an answer took a position on,
or proposed an actor for, is kept (soft-deleted) when deleted, so the answer and the planner's
assessment still name it. One query per check whatever the number of ids."""

from __future__ import annotations

from collections.abc import Collection

from .models import Aktoerforslag, Standpunkt


def tiltak_with_answers(ids: Collection[int]) -> set[int]:
    ids = list(ids)
    if not ids:
        return set()
    positions = (
        Standpunkt.objects.filter(tiltak_id__in=ids).order_by().values_list("tiltak_id", flat=True)
    )
    actors = (
        Aktoerforslag.objects.filter(tiltak_id__in=ids)
        .order_by()
        .values_list("tiltak_id", flat=True)
    )
    return set(positions.union(actors))
