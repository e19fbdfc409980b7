"""Where the apps that build on `tiltak` plug in: hearings (`hoering`) and reporting
(`rapportering`) register here from their `AppConfig.ready()`, so that `tiltak` never imports
them (dependency direction partnerskap ← tiltak ← {hoering, rapportering}).

The kinds of extension:

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

Structure locks
    "The programme's structure may not change now" (a running hearing).

Sections
    Dashboard tiles and parts of the case papers (saksframlegg): the hearing's progress tile
    and summary, the reporting tiles and the annual report register themselves here.

Tiltak signals
    Red/amber/green for a tiltak from what another app knows (its latest report).
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


# --- Sections: dashboard tiles and document sections -----------------------------------------
# A block of the board's dashboard («Høringen: 31 av 45 har svart») or a part of the case papers
# for the county committee (the hearing summary, the annual report). Another app registers a
# Section; the dashboard and the saksframlegg render every registered section of their slot and
# never name the app. The programme's own blocks are sections too, so there is one way.
#
# Slots:
#   "dashboard"        a tile on the board's dashboard; context(programme, since=date, user=…)
#   "dashboard_since"  a block under «Siden forrige møte»; context(programme, since=date, user=…)
#   "saksframlegg"     a part a planner may include in the case papers;
#                      context(programme, saksframlegg=…, language="nb"|"nn")
#
# `context` returns the template's context, or None to show nothing (no hearing runs). It must
# cost a constant number of queries whatever the size of the programme (the dashboard's query
# budget counts them). `template` renders it on screen; `print_template` in the PDF and the
# printable page (plain HTML, styled only by the print stylesheet — never Designsystemet);
# `docx(document, context)` writes it into a python-docx Document (None: the part is left out
# of the Word file with a note). `fingerprint(programme)` is a short string that changes when
# the content changes: the saksframlegg's cache key includes it (None: the context itself is
# hashed). `name` is stable: a saksframlegg stores the names of the parts it includes.

SECTION_SLOTS = ("dashboard", "dashboard_since", "saksframlegg")


@dataclass(frozen=True)
class Section:
    slot: str
    name: str
    title: Any  # a (lazy) translated string
    context: Callable[..., dict | None]
    template: str
    print_template: str = ""
    docx: Callable[[Any, dict], None] | None = None
    fingerprint: Callable[[Any], str] | None = None
    order: int = 100


_SECTIONS: list[Section] = []


def register_section(section: Section) -> Section:
    """Add a section to its slot. A second section with the same slot and name replaces the
    first (re-registering from a reloaded module does not duplicate it)."""
    if section.slot not in SECTION_SLOTS:
        raise ValueError(f"unknown section slot {section.slot!r}; one of {SECTION_SLOTS}")
    if not section.name:
        raise ValueError("a section needs a name")
    _SECTIONS[:] = [s for s in _SECTIONS if not (s.slot == section.slot and s.name == section.name)]
    _SECTIONS.append(section)
    _SECTIONS.sort(key=lambda s: (s.order, s.name))
    return section


def unregister_section(section: Section) -> None:
    """For tests that register a section of their own."""
    if section in _SECTIONS:
        _SECTIONS.remove(section)


def sections(slot: str) -> tuple[Section, ...]:
    return tuple(s for s in _SECTIONS if s.slot == slot)


def section(slot: str, name: str) -> Section | None:
    return next((s for s in _SECTIONS if s.slot == slot and s.name == name), None)


# --- Tiltak signals: red/amber/green from other apps -----------------------------------------
# The dashboard gives each tiltak a colour from its status; reporting knows better once a
# tiltak has been reported on («forsinket»). A signal is `signal(programme) -> {tiltak_id:
# "red"|"amber"|"green"}` for the tiltak it has something to say about (one query or a few,
# whatever the programme's size); a later-registered signal wins over an earlier one, and any
# signal wins over the status.

TiltakSignal = Callable[[Any], dict[int, str]]

_SIGNALS: list[TiltakSignal] = []


def register_tiltak_signal(signal: TiltakSignal) -> TiltakSignal:
    if signal not in _SIGNALS:
        _SIGNALS.append(signal)
    return signal


def unregister_tiltak_signal(signal: TiltakSignal) -> None:
    if signal in _SIGNALS:
        _SIGNALS.remove(signal)


def tiltak_signals(programme) -> dict[int, str]:
    """Every registered signal's colours for the programme's tiltak, later signals winning."""
    found: dict[int, str] = {}
    for signal in _SIGNALS:
        found.update(signal(programme))
    return found
