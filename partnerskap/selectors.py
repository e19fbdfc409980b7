"""Reads of the foundation. One way to find an organisation by what someone typed — its name,
abbreviation or any name it was written as (aliases) — used by the organisation list, the API,
the tiltak search and the type-ahead picker alike.

Matching folds case in Python (`str.casefold`), so «ØSTLANDSFORSKNING» finds «Østlandsforskning»
on SQLite too, whose LIKE folds ASCII letters only; the registry is small (hundreds of rows), so
reading its names is two cheap queries whatever the search."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from .models import Organisasjon, OrganisasjonAlias


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
