"""Comparison of two versions of a programme (selectors only: reads, no writes).

Tiltak are matched by their `forgjenger` links, also through several rolls when the two
programmes are not adjacent versions; the direction does not matter (fra may be the newer one).
Programmes that are not versions of each other (neither is rolled, directly or through other
versions, from the other) match nothing, and the comparison says so.

The query count does not depend on the number of tiltak: the version chain, the tiltak of each
programme, their temaer, delmål and satsingsområder (one query per level for both), their
responsibilities as plain tuples, and the organisations named in a changed responsibility; for
non-adjacent versions four more for the links of the versions in between. Everything else is done
in Python, on as few model instances as possible (a 1,640-tiltak programme compares in well under
a second).
"""

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from partnerskap.models import Organisasjon
from tiltak.models import (
    Ansvar,
    Delmaal,
    Handlingsprogram,
    Rolle,
    Satsingsomraade,
    Tema,
    Tiltak,
    TiltakStatus,
    TiltakType,
)

# Texts longer than this many characters get a word-level diff besides old → new.
WORD_DIFF_MIN_CHARS = 60
WORD_DIFF_MIN_RATIO = 0.5  # below this share of words in common, show before → after instead
# Words × words of the changed middle matched word by word (difflib's cost); beyond, removed →
# added whole. 1,000 × 1,000 words take ~0.2 s here.
WORD_DIFF_MAX_CELLS = 1_000_000
MAX_CHAIN = 1000  # guards against a cycle in forrige_versjon links


@dataclass
class DiffSegment:
    kind: str  # "equal", "delete" or "insert"
    text: str


@dataclass
class FieldChange:
    field: str
    label: str
    old: str
    new: str
    segments: list[DiffSegment] | None = None


@dataclass
class AnsvarChange:
    kind: str  # "added", "removed" or "changed"
    organisasjon: object
    old_roles: list[str] = field(default_factory=list)
    new_roles: list[str] = field(default_factory=list)


@dataclass
class ChangedTiltak:
    fra: Tiltak
    til: Tiltak
    fields: list[FieldChange]
    ansvar: list[AnsvarChange]


@dataclass
class RemovedTiltak:
    tiltak: Tiltak
    # Successors in "til" that were taken out (soft-deleted), e.g. by the outcome of rolling.
    deleted_successors: list[Tiltak] = field(default_factory=list)


@dataclass
class Comparison:
    fra: Handlingsprogram
    til: Handlingsprogram
    related: bool
    same: bool
    fra_is_newer: bool
    generations: int  # rolls between the two; 0 when the same or unrelated
    added: list[Tiltak]
    removed: list[RemovedTiltak]
    changed: list[ChangedTiltak]
    unchanged: int

    @property
    def changed_fields_count(self) -> int:
        return sum(1 for c in self.changed if c.fields)

    @property
    def changed_ansvar_count(self) -> int:
        return sum(1 for c in self.changed if c.ansvar)


LEVELS = (("tema", Tema), ("delmaal", Delmaal), ("satsingsomraade", Satsingsomraade))


def _load(
    fra: Handlingsprogram, til: Handlingsprogram, *, same: bool, til_with_deleted: bool
) -> tuple[list[Tiltak], list[Tiltak], dict[int, dict[int, set[str]]]]:
    """The tiltak of both programmes with tema, delmål, satsingsområde and programme attached
    (no query per tiltak), and each tiltak's roles as {tiltak_id: {organisasjon_id: {rolle}}}."""
    fra_tiltak = list(Tiltak.objects.filter(program=fra).order_by())
    if same:
        til_all = fra_tiltak
    else:
        manager = Tiltak.alle if til_with_deleted else Tiltak.objects
        til_all = list(manager.filter(program=til).order_by())
    ids = [fra.pk, til.pk]
    programmes = {fra.pk: fra, til.pk: til}
    by_level: dict[str, Mapping[Any, models.Model]] = {
        "tema": Tema.objects.filter(program_id__in=ids).in_bulk(),
        "delmaal": Delmaal.objects.filter(tema__program_id__in=ids).in_bulk(),
        "satsingsomraade": Satsingsomraade.objects.filter(tema__program_id__in=ids).in_bulk(),
    }
    til_by_id = {t.id: t for t in til_all}
    for t in fra_tiltak if same else [*fra_tiltak, *til_all]:
        t.program = programmes[t.program_id]
        for level, _model in LEVELS:
            obj_id = getattr(t, f"{level}_id")
            if obj_id is not None and obj_id in by_level[level]:
                setattr(t, level, by_level[level][obj_id])
        if t.slaatt_sammen_med_id in til_by_id:
            t.slaatt_sammen_med = til_by_id[t.slaatt_sammen_med_id]
    # Sorted here, not in SQL: the same order on every database (NULL numbers last).
    fra_tiltak.sort(key=_position)
    if not same:
        til_all.sort(key=_position)
    roles: dict[int, dict[int, set[str]]] = {}
    for tiltak_id, org_id, rolle in Ansvar.objects.filter(
        tiltak__program_id__in=set(ids)
    ).values_list("tiltak_id", "organisasjon_id", "rolle"):
        roles.setdefault(tiltak_id, {}).setdefault(org_id, set()).add(rolle)
    return fra_tiltak, til_all, roles


def _version_path(fra: Handlingsprogram, til: Handlingsprogram) -> tuple[list[int], bool] | None:
    """The programme ids from the newer back to the older one (both included), and whether fra
    is the newer; None when neither is a version of the other. One query."""
    parent = dict(Handlingsprogram.objects.order_by().values_list("id", "forrige_versjon_id"))
    for newer, older, fra_is_newer in ((til.pk, fra.pk, False), (fra.pk, til.pk, True)):
        path = [newer]
        current: int | None = newer
        while current is not None and len(path) <= MAX_CHAIN:
            current = parent.get(current)
            if current is None or current in path:
                break
            path.append(current)
            if current == older:
                return path, fra_is_newer
    return None


def _links(model: type[models.Model], program_ids: list[int]) -> dict[int, int | None]:
    """id → forgjenger_id of one level's objects in the versions in between."""
    if not program_ids:
        return {}
    lookup = {
        Tiltak: "program_id__in",
        Tema: "program_id__in",
        Delmaal: "tema__program_id__in",
        Satsingsomraade: "tema__program_id__in",
    }[model]
    # Tema, Delmaal and Satsingsomraade have one manager, `objects`: their default manager.
    manager: models.Manager[Any] = Tiltak.alle if model is Tiltak else model._default_manager
    return dict(manager.filter(**{lookup: program_ids}).values_list("id", "forgjenger_id"))


def _ancestor(start_id: int | None, older_ids, between: dict[int, int | None]) -> int | None:
    """Follow forgjenger links from a newer object's predecessor id to the older version."""
    current, steps = start_id, 0
    while current is not None and steps <= MAX_CHAIN:
        if current in older_ids:
            return current
        current = between.get(current)
        steps += 1
    return None


def _words(text: str) -> list[str]:
    return re.findall(r"\s+|[^\s]+", text)


def _word_diff(old: str, new: str) -> list[DiffSegment] | None:
    """Word-level changes, or None when the texts have too little in common for that to help
    (a rewritten text reads better as before → after).

    The words both texts start and end with are set aside first (linear); only the changed
    middle is matched word by word, which costs the product of its lengths. Beyond
    WORD_DIFF_MAX_CELLS the middle is matched line by line (paragraphs), and beyond that too it
    is shown as removed → added whole: a 20,000-word text costs milliseconds instead of
    minutes, so a hand-made request can no longer stall a worker."""
    a, b = _words(old), _words(new)
    prefix = 0
    while prefix < min(len(a), len(b)) and a[prefix] == b[prefix]:
        prefix += 1
    suffix = 0
    while suffix < min(len(a), len(b)) - prefix and a[-1 - suffix] == b[-1 - suffix]:
        suffix += 1
    a_mid, b_mid = a[prefix : len(a) - suffix], b[prefix : len(b) - suffix]
    segments: list[DiffSegment] = []
    if prefix:
        segments.append(DiffSegment("equal", "".join(a[:prefix])))
    same = prefix + suffix
    if len(a_mid) * len(b_mid) <= WORD_DIFF_MAX_CELLS:
        matcher = difflib.SequenceMatcher(None, a_mid, b_mid, autojunk=False)
        same += sum(block.size for block in matcher.get_matching_blocks())
        for op, i1, i2, j1, j2 in matcher.get_opcodes():
            if op == "equal":
                segments.append(DiffSegment("equal", "".join(a_mid[i1:i2])))
                continue
            if op in ("delete", "replace"):
                segments.append(DiffSegment("delete", "".join(a_mid[i1:i2])))
            if op in ("insert", "replace"):
                segments.append(DiffSegment("insert", "".join(b_mid[j1:j2])))
    else:
        lines_a = "".join(a_mid).splitlines(keepends=True)
        lines_b = "".join(b_mid).splitlines(keepends=True)
        if len(lines_a) * len(lines_b) <= WORD_DIFF_MAX_CELLS:
            # Long texts are compared line by line (paragraphs), still at a bounded cost.
            matcher = difflib.SequenceMatcher(None, lines_a, lines_b, autojunk=False)
            for op, i1, i2, j1, j2 in matcher.get_opcodes():
                if op == "equal":
                    text = "".join(lines_a[i1:i2])
                    segments.append(DiffSegment("equal", text))
                    same += len(_words(text))
                    continue
                if op in ("delete", "replace"):
                    segments.append(DiffSegment("delete", "".join(lines_a[i1:i2])))
                if op in ("insert", "replace"):
                    segments.append(DiffSegment("insert", "".join(lines_b[j1:j2])))
        else:
            if a_mid:
                segments.append(DiffSegment("delete", "".join(a_mid)))
            if b_mid:
                segments.append(DiffSegment("insert", "".join(b_mid)))
    if 2 * same / max(1, len(a) + len(b)) < WORD_DIFF_MIN_RATIO:
        return None
    if suffix:
        segments.append(DiffSegment("equal", "".join(a[len(a) - suffix :])))
    return segments


def _years(t: Tiltak) -> str:
    if t.start_aar is None and t.slutt_aar is None:
        return ""
    return f"{t.start_aar or '…'}–{t.slutt_aar or '…'}"


def _placement(obj) -> str:
    return str(obj) if obj is not None else ""


def _label(choices: type[models.TextChoices], value: str) -> str:
    return str(choices(value).label) if value in choices.values else value


# The compared fields in the order they are shown: (name, label, value, shown as, long text).
# Values are compared first; only a difference is turned into what the reader sees. Long texts
# also get a word-level diff.
COMPARED_FIELDS = [
    ("nummer", _("Number"), lambda t: t.nummer_visning, None, False),
    ("tittel", _("Title"), lambda t: t.tittel, None, True),
    ("beskrivelse", _("Description"), lambda t: t.beskrivelse, None, True),
    ("virkemiddel", _("Instrument"), lambda t: t.virkemiddel, None, True),
    ("type", _("Type"), lambda t: t.type, lambda v: _label(TiltakType, v), False),
    ("status", _("Status"), lambda t: t.status, lambda v: _label(TiltakStatus, v), False),
    ("aar", _("Years"), lambda t: (t.start_aar, t.slutt_aar), None, False),
    ("finansiering", _("Funding"), lambda t: t.finansiering, None, True),
    ("forventet_resultat", _("Expected result"), lambda t: t.forventet_resultat, None, True),
]
PLACEMENT_LEVELS = [
    ("tema", _("Theme")),
    ("delmaal", _("Sub-goal")),
    ("satsingsomraade", _("Priority area")),
]


def _follows_period(t: Tiltak) -> bool:
    return (t.start_aar, t.slutt_aar) == (t.program.start_aar, t.program.slutt_aar)


def _field_changes(old: Tiltak, new: Tiltak, same_place: dict[str, bool]) -> list[FieldChange]:
    changes: list[FieldChange] = []
    for name, label, read, shown, long_text in COMPARED_FIELDS:
        a, b = read(old), read(new)
        if a == b:
            continue
        if name == "aar":
            if _follows_period(old) and _follows_period(new):
                continue  # the years moved with the programme's period: what rolling does
            a, b = _years(old), _years(new)
        elif shown is not None:
            a, b = shown(a), shown(b)
        segments = None
        if long_text and a and b and max(len(a), len(b)) >= WORD_DIFF_MIN_CHARS:
            segments = _word_diff(a, b)
        changes.append(FieldChange(name, str(label), a, b, segments))
    for name, label in PLACEMENT_LEVELS:
        if not same_place[name]:
            changes.append(
                FieldChange(
                    name, str(label), _placement(getattr(old, name)), _placement(getattr(new, name))
                )
            )
    return changes


def _role_labels(roles: set[str]) -> list[str]:
    return [str(Rolle(r).label) for r in Rolle.values if r in roles]


def _ansvar_changes(a: dict[int, set[str]], b: dict[int, set[str]]) -> list[AnsvarChange]:
    """Organisations removed, with another role, and added; `organisasjon` is the id until
    programme_compare puts the loaded organisations in."""
    if a == b:
        return []
    changes: list[AnsvarChange] = []
    for org_id, roles in a.items():
        if org_id not in b:
            changes.append(AnsvarChange("removed", org_id, _role_labels(roles), []))
        elif b[org_id] != roles:
            changes.append(
                AnsvarChange("changed", org_id, _role_labels(roles), _role_labels(b[org_id]))
            )
    for org_id, roles in b.items():
        if org_id not in a:
            changes.append(AnsvarChange("added", org_id, [], _role_labels(roles)))
    return sorted(changes, key=lambda c: ("removed", "changed", "added").index(c.kind))


def programme_compare(*, fra: Handlingsprogram, til: Handlingsprogram) -> Comparison:
    """What changed from `fra` to `til`: added, removed and changed tiltak (field by field and
    responsibilities), and how many are unchanged. Tiltak deleted in a programme do not count
    as part of it; a tiltak of `fra` whose successors were all deleted in `til` (e.g. marked as
    concluded when rolling) is removed, with those successors attached to say why. Years that
    were the programme's period and still are (rolling moves them along) are not a change."""
    same = fra.pk == til.pk
    path = None if same else _version_path(fra, til)
    related = same or path is not None
    fra_is_newer = bool(path and path[1])
    generations = len(path[0]) - 1 if path else 0

    # til's deleted tiltak explain removals (outcome of rolling) when til is the newer one.
    fra_tiltak, til_all, roles = _load(fra, til, same=same, til_with_deleted=not fra_is_newer)
    til_tiltak = [t for t in til_all if t.slettet is None]
    if same:
        return Comparison(
            fra=fra,
            til=til,
            related=True,
            same=True,
            fra_is_newer=False,
            generations=0,
            added=[],
            removed=[],
            changed=[],
            unchanged=len(fra_tiltak),
        )

    pairs: list[tuple[Tiltak, Tiltak, dict[str, bool]]] = []
    deleted_successors: dict[int, list[Tiltak]] = {}
    matched_fra: set[int] = set()
    matched_til: set[int] = set()
    if path is not None:  # related: `same` returned above
        between_ids = path[0][1:-1]
        newer_all, older = (fra_tiltak, til_tiltak) if fra_is_newer else (til_all, fra_tiltak)
        older_by_id = {t.id: t for t in older}
        links = {m: _links(m, between_ids) for m in (Tiltak, Tema, Delmaal, Satsingsomraade)}
        # The older version's structure, for placement (tema/delmål/satsingsområde).
        older_level_ids = {
            level: {getattr(t, f"{level}_id") for t in older} - {None} for level, _m in LEVELS
        }
        for n in newer_all:
            ancestor_id = _ancestor(n.forgjenger_id, older_by_id.keys(), links[Tiltak])
            if ancestor_id is None:
                continue
            o = older_by_id[ancestor_id]
            if n.slettet is not None:
                deleted_successors.setdefault(o.id, []).append(n)
                continue
            same_place = {}
            for level, model in LEVELS:
                new_obj, old_id = getattr(n, level), getattr(o, f"{level}_id")
                if new_obj is None or old_id is None:
                    same_place[level] = new_obj is None and old_id is None
                else:
                    same_place[level] = old_id == _ancestor(
                        new_obj.forgjenger_id, older_level_ids[level], links[model]
                    )
            fra_t, til_t = (n, o) if fra_is_newer else (o, n)
            pairs.append((fra_t, til_t, same_place))
            matched_fra.add(fra_t.id)
            matched_til.add(til_t.id)

    changed: list[ChangedTiltak] = []
    for fra_t, til_t, same_place in pairs:
        fields = _field_changes(fra_t, til_t, same_place)
        ansvar = _ansvar_changes(roles.get(fra_t.id, {}), roles.get(til_t.id, {}))
        if fields or ansvar:
            changed.append(ChangedTiltak(fra_t, til_t, fields, ansvar))
    org_ids = {a.organisasjon for c in changed for a in c.ansvar}
    if org_ids:
        orgs = Organisasjon.objects.in_bulk(org_ids)
        for c in changed:
            for a in c.ansvar:
                a.organisasjon = orgs[a.organisasjon]
    if fra_is_newer:
        changed.sort(key=lambda c: _position(c.til))

    removed = [
        RemovedTiltak(t, deleted_successors.get(t.id, []))
        for t in fra_tiltak
        if t.id not in matched_fra
    ]
    added = [t for t in til_tiltak if t.id not in matched_til]
    return Comparison(
        fra=fra,
        til=til,
        related=related,
        same=False,
        fra_is_newer=fra_is_newer,
        generations=generations,
        added=added,
        removed=removed,
        changed=changed,
        unchanged=len(pairs) - len(changed),
    )


def _position(t: Tiltak) -> tuple:
    """The order the programme shows its tiltak in: tema, number (unnumbered last)."""
    return (t.tema.nummer, t.nummer is None, t.nummer or 0, t.rekkefoelge, t.id)
