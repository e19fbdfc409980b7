"""Where the apps that build on `tiltak` plug in: hearings (`hoering`) and reporting
(`rapportering`) register here from their `AppConfig.ready()`, so that `tiltak` never imports
them (dependency direction partnerskap ← tiltak ← {hoering, rapportering}).

Two kinds of extension:

Trace checks
    "This tiltak has left traces others rely on (hearing answers, reports), keep the row when it
    is deleted." A check answers for many tiltak at once — `check(ids) -> set of ids with
    traces` — so a bulk operation (the Excel import removing 300 rows) costs one query per check,
    not one per row. A single delete asks the same checks with one id.

Panels
    A block of HTML another app adds to the programme page or the tiltak page («Høring: frist 23.
    oktober 2018 kl. 23.59», «Rapportert 2019: pågår»). A panel is a template and a function that
    gives its context, or None to show nothing; templates render them with
    `{% extension_panels "tiltak_detail" tiltak %}` and never name the app.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from typing import Any

TraceCheck = Callable[[Collection[int]], set[int]]

_TRACE_CHECKS: list[TraceCheck] = []


def register_trace_check(check: TraceCheck) -> TraceCheck:
    """Add `check(tiltak_ids) -> ids that must be kept` (usable as a decorator). Registering the
    same function twice has no effect."""
    if check not in _TRACE_CHECKS:
        _TRACE_CHECKS.append(check)
    return check


def unregister_trace_check(check: TraceCheck) -> None:
    """For tests that register a check of their own."""
    if check in _TRACE_CHECKS:
        _TRACE_CHECKS.remove(check)


def trace_checks() -> tuple[TraceCheck, ...]:
    return tuple(_TRACE_CHECKS)


def tiltak_ids_with_traces(ids: Iterable[int]) -> set[int]:
    """The ids among `ids` that some registered check says must be kept on delete."""
    pending = set(ids)
    traced: set[int] = set()
    for check in _TRACE_CHECKS:
        if not pending:
            break
        found = set(check(frozenset(pending))) & pending
        traced |= found
        pending -= found
    return traced


# --- Panels -----------------------------------------------------------------------------------

PANEL_SLOTS = ("programme_detail", "tiltak_detail")


@dataclass(frozen=True)
class Panel:
    """`context(request, obj)` returns the template's context, or None to show nothing there.
    `order` sorts panels within a slot (lower first)."""

    slot: str
    template: str
    context: Callable[[Any, Any], dict | None]
    order: int = 100
    name: str = ""


_PANELS: list[Panel] = []


def register_panel(panel: Panel) -> Panel:
    if panel.slot not in PANEL_SLOTS:
        raise ValueError(f"unknown panel slot {panel.slot!r}; one of {PANEL_SLOTS}")
    if panel not in _PANELS:
        _PANELS.append(panel)
        _PANELS.sort(key=lambda p: (p.order, p.name))
    return panel


def unregister_panel(panel: Panel) -> None:
    """For tests that register a panel of their own."""
    if panel in _PANELS:
        _PANELS.remove(panel)


def panels(slot: str) -> tuple[Panel, ...]:
    return tuple(p for p in _PANELS if p.slot == slot)


# --- Structure locks --------------------------------------------------------------------------
# "The programme's structure may not change now" — a hearing that runs freezes the tiltak it
# asked about. A lock is `lock(programme) -> str | None`: a sentence for the planner saying why
# (e.g. «Programmet er på høring med frist 23. oktober 2018 kl. 23.59»), or None. The rule
# `tiltak.edit_structure` asks every lock, so the browser, the API and the import refuse alike.

StructureLock = Callable[[Any], "str | None"]

_STRUCTURE_LOCKS: list[StructureLock] = []


def register_structure_lock(lock: StructureLock) -> StructureLock:
    if lock not in _STRUCTURE_LOCKS:
        _STRUCTURE_LOCKS.append(lock)
    return lock


def unregister_structure_lock(lock: StructureLock) -> None:
    if lock in _STRUCTURE_LOCKS:
        _STRUCTURE_LOCKS.remove(lock)


def structure_lock_reason(programme) -> str | None:
    """Why the programme's structure is frozen now, or None when it is not."""
    for lock in _STRUCTURE_LOCKS:
        reason = lock(programme)
        if reason:
            return reason
    return None
