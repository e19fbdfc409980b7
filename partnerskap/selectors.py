"""Reads of the foundation. One way to find an organisation by what someone typed — its name,
abbreviation or any name it was written as (aliases) — used by the organisation list, the API,
the tiltak search and the type-ahead picker alike.

Matching folds case in Python (`str.casefold`), so «ØSTLANDSFORSKNING» finds «Østlandsforskning»
on SQLite too, whose LIKE folds ASCII letters only; the registry is small (hundreds of rows), so
reading its names is two cheap queries whatever the search."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from .models import Gruppemedlemskap, Organisasjon, OrganisasjonAlias


def fold(text: str) -> str:
    """Case- and whitespace-insensitive form of a name, for comparing what people type."""
    return " ".join((text or "").split()).casefold()


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


def _hits(q: str) -> list[_Hit]:
    needle = fold(q)
    if not needle:
        return []
    aliases: dict[int, list[str]] = {}
    for org_id, navn in OrganisasjonAlias.objects.values_list("organisasjon_id", "navn"):
        aliases.setdefault(org_id, []).append(navn)
    hits = []
    for pk, navn, forkortelse in Organisasjon.objects.values_list("pk", "navn", "forkortelse"):
        names = [fold(n) for n in (navn, forkortelse, *aliases.get(pk, [])) if n]
        if not any(needle in n for n in names):
            continue
        alias = ""
        if needle not in fold(navn):
            alias = next((a for a in aliases.get(pk, []) if needle in fold(a)), "")
        hits.append(
            _Hit(
                pk=pk,
                navn=navn,
                forkortelse=forkortelse,
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
