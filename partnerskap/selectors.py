"""Reads of the foundation. One way to find an organisation by what someone typed — its name,
abbreviation or any name it was written as (aliases) — used by the organisation list, the API,
the tiltak search and the type-ahead picker alike.

Matching folds case and letters in Python (`fold`), so «ØSTLANDSFORSKNING» and «Ostlandsforskning»
find «Østlandsforskning» on SQLite too, whose LIKE folds ASCII letters only; the registry is small
(hundreds of rows), so reading its names is two cheap queries whatever the search."""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from django.db.models import QuerySet

from .models import Gruppemedlemskap, Organisasjon, OrganisasjonAlias

# Letters that Unicode does not decompose into a base letter and a mark. PostgreSQL's unaccent
# maps them the same way (ø→o, æ→ae), so a search folds alike in Python and in the database.
_LETTERS = {"ø": "o", "æ": "ae", "œ": "oe", "đ": "d", "ð": "d", "ł": "l", "þ": "th"}
_NOT_ASCII = re.compile(r"[^\x00-\x7f]")


@functools.lru_cache(maxsize=1024)
def _fold_letter(letter: str) -> str:
    letter = _LETTERS.get(letter, letter)
    return "".join(c for c in unicodedata.normalize("NFKD", letter) if not unicodedata.combining(c))


def fold(text: str) -> str:
    """The form of a text that searching compares: case, whitespace and accents folded, and the
    Norwegian letters as on a keyboard without them, so «Ostlandsforskning» finds
    «Østlandsforskning», «omdomme» «omdømme» and «Regionraadet» «Regionrådet»:
    ø→o, æ→ae, å→a and aa→a, é→e (every accent dropped), ß→ss.

    The database applies the same folding as `portal_fold(text)` (tiltak/selectors/search.py,
    migration tiltak 0004_search). Only the letters outside ASCII are looked at one by one, so
    a long text folds in microseconds."""
    text = " ".join((text or "").split()).casefold()
    if not text.isascii():
        text = _NOT_ASCII.sub(lambda m: _fold_letter(m[0]), text)
    return text.replace("aa", "a")


def organisasjon_label(org: Organisasjon) -> str:
    """«Name (ABBR)», or the name alone when the abbreviation adds nothing."""
    if org.forkortelse and org.forkortelse.casefold() != org.navn.casefold():
        return f"{org.navn} ({org.forkortelse})"
    return org.navn


@dataclass(frozen=True)
class _Hit:
    pk: int
    navn: str
    forkortelse: str
    alias: str  # the alias that matched, when the name itself does not
    exact: bool
    starts: bool


@dataclass(frozen=True)
class _Entry:
    pk: int
    navn: str
    forkortelse: str
    aliases: tuple[str, ...]
    folded: tuple[str, ...]  # name, abbreviation and aliases, folded (the blank ones left out)
    folded_aliases: tuple[tuple[str, str], ...]  # (folded, as written)


def _registry() -> list[_Entry]:
    """Every organisation with its names folded once: two queries."""
    aliases: dict[int, list[str]] = {}
    for org_id, navn in OrganisasjonAlias.objects.values_list("organisasjon_id", "navn"):
        aliases.setdefault(org_id, []).append(navn)
    entries = []
    for pk, navn, forkortelse in Organisasjon.objects.values_list("pk", "navn", "forkortelse"):
        own = tuple(aliases.get(pk, []))
        entries.append(
            _Entry(
                pk=pk,
                navn=navn,
                forkortelse=forkortelse,
                aliases=own,
                folded=tuple(fold(n) for n in (navn, forkortelse, *own) if n),
                folded_aliases=tuple((fold(a), a) for a in own),
            )
        )
    return entries


def _hits(q: str, registry: list[_Entry] | None = None) -> list[_Hit]:
    needle = fold(q)
    if not needle:
        return []
    hits = []
    for entry in _registry() if registry is None else registry:
        names = entry.folded
        if not any(needle in n for n in names):
            continue
        alias = ""
        if needle not in names[0]:  # the name itself does not match: which alias does?
            alias = next((a for folded, a in entry.folded_aliases if needle in folded), "")
        hits.append(
            _Hit(
                pk=entry.pk,
                navn=entry.navn,
                forkortelse=entry.forkortelse,
                alias=alias,
                exact=needle in names,
                starts=any(n.startswith(needle) for n in names),
            )
        )
    hits.sort(key=lambda h: (not h.exact, not h.starts, h.navn.casefold()))
    return hits


def organisasjon_ids_matching(q: str) -> list[int]:
    """Ids of the organisations whose name, abbreviation or an alias contains `q`, best first
    (exact, then starting with `q`, then alphabetical)."""
    return [h.pk for h in _hits(q)]


def organisasjon_ids_matching_each(words: list[str]) -> dict[str, list[int]]:
    """`organisasjon_ids_matching` for each of `words`, reading the registry once."""
    registry = _registry() if any(fold(w) for w in words) else []
    return {word: [h.pk for h in _hits(word, registry)] for word in words}


def organisasjon_search(*, q: str, queryset: QuerySet[Organisasjon] | None = None):
    """`queryset` (all organisations by default) narrowed to those matching `q`; unchanged
    when `q` is blank."""
    queryset = Organisasjon.objects.all() if queryset is None else queryset
    if not fold(q):
        return queryset
    return queryset.filter(pk__in=organisasjon_ids_matching(q))


def organisasjon_matches(*, q: str, limit: int) -> list[dict]:
    """The type-ahead picker's answer: [{id, navn, label, alias, exact}], best first."""
    return [
        {
            "id": h.pk,
            "navn": h.navn,
            "label": organisasjon_label(Organisasjon(navn=h.navn, forkortelse=h.forkortelse)),
            "alias": h.alias,
            "exact": h.exact,
        }
        for h in _hits(q)[:limit]
    ]


def organisasjon_by_name() -> dict[str, Organisasjon]:
    """Every organisation under its folded name, «name (abbreviation)» (as the portal shows it),
    abbreviation and aliases, for matching parties as written (the Excel import, the demo
    loader). Where two share a spelling, a name wins over the others, then «name
    (abbreviation)», then an abbreviation, then an alias; among equals, the first by name."""
    orgs = list(Organisasjon.objects.order_by("navn", "pk"))
    by_pk = {o.pk: o for o in orgs}
    index: dict[str, Organisasjon] = {}
    for org in orgs:
        index.setdefault(fold(org.navn), org)
    for org in orgs:
        index.setdefault(fold(organisasjon_label(org)), org)
    for org in orgs:
        if org.forkortelse:
            index.setdefault(fold(org.forkortelse), org)
    for alias in OrganisasjonAlias.objects.order_by("navn", "pk"):
        owner = by_pk.get(alias.organisasjon_id)
        if owner is not None:
            index.setdefault(fold(alias.navn), owner)
    return index


# Groups ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Gruppetilhoerighet:
    """A group an organisation belongs to. `sti` is the way there: the groups from the one the
    organisation is a direct member of up to `gruppe` itself, e.g. (Kommunene i Hallingdal,
    Kommunene) for Gol kommune's membership of «Kommunene»."""

    gruppe: Organisasjon
    sti: tuple[Organisasjon, ...]

    @property
    def direkte(self) -> bool:
        return len(self.sti) == 1

    @property
    def gjennom(self) -> tuple[Organisasjon, ...]:
        """The groups in between (empty for a direct membership)."""
        return self.sti[:-1]

    @property
    def gjennom_navn(self) -> str:
        """The names of the groups in between, for «(through Kommunene i Hallingdal)»."""
        return ", ".join(g.navn for g in self.gjennom)


@dataclass(frozen=True)
class Grupperelasjoner:
    """An organisation's place among the groups: the groups it belongs to, directly or through
    groups that are members of groups (nearest first), and, for a group, its direct members."""

    grupper: tuple[Gruppetilhoerighet, ...]
    medlemmer: tuple[Organisasjon, ...]

    @property
    def gruppe_ids(self) -> list[int]:
        return [g.gruppe.pk for g in self.grupper]

    def via(self, gruppe_id: int) -> Gruppetilhoerighet | None:
        return next((g for g in self.grupper if g.gruppe.pk == gruppe_id), None)


def organisasjon_grupper(*, organisasjon: Organisasjon) -> Grupperelasjoner:
    """The groups `organisasjon` belongs to and (for a group) its members, in one query
    whatever the nesting: every membership is read with both organisations (the registry has
    hundreds of rows) and walked upwards breadth-first, so each group is reached once, by its
    shortest way, and a cycle (which Gruppemedlemskap.clean() refuses anyway) ends the walk
    instead of looping. Groups at the same depth come in name order."""
    parents: dict[int, list[Organisasjon]] = {}
    medlemmer: list[Organisasjon] = []
    for m in Gruppemedlemskap.objects.select_related("gruppe", "medlem"):
        parents.setdefault(m.medlem_id, []).append(m.gruppe)
        if m.gruppe_id == organisasjon.pk:
            medlemmer.append(m.medlem)
    grupper: list[Gruppetilhoerighet] = []
    seen = {organisasjon.pk}
    level: list[tuple[int, tuple[Organisasjon, ...]]] = [(organisasjon.pk, ())]
    while level:
        next_level = []
        for org_id, sti in level:
            for gruppe in sorted(parents.get(org_id, []), key=lambda g: fold(g.navn)):
                if gruppe.pk in seen:
                    continue
                seen.add(gruppe.pk)
                tilhoerighet = Gruppetilhoerighet(gruppe=gruppe, sti=(*sti, gruppe))
                grupper.append(tilhoerighet)
                next_level.append((gruppe.pk, tilhoerighet.sti))
        level = next_level
    medlemmer.sort(key=lambda o: fold(o.navn))
    return Grupperelasjoner(grupper=tuple(grupper), medlemmer=tuple(medlemmer))
