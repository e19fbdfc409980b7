"""Reads of the foundation. One way to find an organisation by what someone typed — its name,
abbreviation or any name it was written as (aliases) — used by the organisation list, the API,
the tiltak search and the type-ahead picker alike.

Matching folds case and letters in Python (`fold`), so «ØSTLANDSFORSKNING» and «Ostlandsforskning»
find «Østlandsforskning» on SQLite too, whose LIKE folds ASCII letters only; the registry is small
(hundreds of rows), so reading its names is two cheap queries whatever the search."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from django.db.models import QuerySet

from .models import Organisasjon, OrganisasjonAlias

# Letters that Unicode does not decompose into a base letter and a mark. PostgreSQL's unaccent
# maps them the same way (ø→o, æ→ae), so a search folds alike in Python and in the database.
_LETTERS = str.maketrans({"ø": "o", "æ": "ae", "œ": "oe", "đ": "d", "ð": "d", "ł": "l", "þ": "th"})


def fold(text: str) -> str:
    """The form of a text that searching compares: case, whitespace and accents folded, and the
    Norwegian letters as on a keyboard without them, so «Ostlandsforskning» finds
    «Østlandsforskning», «omdomme» «omdømme» and «Regionraadet» «Regionrådet»:
    ø→o, æ→ae, å→a and aa→a, é→e (every accent dropped), ß→ss.

    The database applies the same folding as `portal_fold(text)` (tiltak/selectors/search.py,
    migration tiltak 0004_search)."""
    text = " ".join((text or "").split()).casefold().translate(_LETTERS)
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
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


_Registry = list[tuple[int, str, str, list[str]]]


def _registry() -> _Registry:
    """(pk, name, abbreviation, aliases) of every organisation: two queries."""
    aliases: dict[int, list[str]] = {}
    for org_id, navn in OrganisasjonAlias.objects.values_list("organisasjon_id", "navn"):
        aliases.setdefault(org_id, []).append(navn)
    return [
        (pk, navn, forkortelse, aliases.get(pk, []))
        for pk, navn, forkortelse in Organisasjon.objects.values_list("pk", "navn", "forkortelse")
    ]


def _hits(q: str, registry: _Registry | None = None) -> list[_Hit]:
    needle = fold(q)
    if not needle:
        return []
    hits = []
    for pk, navn, forkortelse, aliases in _registry() if registry is None else registry:
        names = [fold(n) for n in (navn, forkortelse, *aliases) if n]
        if not any(needle in n for n in names):
            continue
        alias = ""
        if needle not in fold(navn):
            alias = next((a for a in aliases if needle in fold(a)), "")
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
    """Every organisation under its folded name, abbreviation and aliases, for matching parties
    as written (the Excel import, the demo loader). Where two share a spelling, the name wins
    over an abbreviation or alias."""
    index: dict[str, Organisasjon] = {}
    orgs = {o.pk: o for o in Organisasjon.objects.all()}
    for alias in OrganisasjonAlias.objects.all():
        org = orgs.get(alias.organisasjon_id)
        if org is not None:
            index.setdefault(fold(alias.navn), org)
    for org in orgs.values():
        if org.forkortelse:
            index[fold(org.forkortelse)] = org
    for org in orgs.values():
        index[fold(org.navn)] = org
    return index
