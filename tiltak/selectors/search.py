"""Lists of tiltak (search, API) and one tiltak with everything its page shows, and the free-text
search they share.

Free text, per word (every word must match; `tiltak_text_search`):

- PostgreSQL: full-text search in the configuration `norwegian_unaccent` (the Norwegian stemmer
  after unaccent, so «kommunene» finds «kommune» and «omdomme» «omdømme»), OR the word as a
  substring of the folded text (`portal_fold`: case, accents, ø→o, æ→ae, å/aa→a, so partial
  words match too). Both are served by GIN indexes (migration 0004_search), so neither reads the
  whole table.
- SQLite: the folded substring alone; `portal_fold` is a Python function (partnerskap.selectors
  .fold) registered on the connection when a query needs it.
- Everywhere: the tiltak whose parties' names, abbreviations or aliases match the word
  (partnerskap.selectors.organisasjon_ids_matching, the registry's one matcher, here reading the
  registry once for all the words), and a word like
  «3.23» finds tiltak 23 of tema 3.
"""

import functools
import re
from functools import reduce
from operator import or_

from django.contrib.postgres.search import SearchQuery, SearchVector, SearchVectorExact
from django.db import connections
from django.db.models import F, Func, Q, QuerySet, TextField, Value
from django.db.models.functions import Coalesce
from django.db.models.lookups import Contains

from partnerskap.selectors import fold, organisasjon_ids_matching_each
from tiltak.models import Ansvar, Handlingsprogram, Tiltak

from .programmes import ansvar_prefetch

# The fields free text searches, in the order of the indexed expressions (0004_search): change
# them together.
SEARCH_FIELDS = (
    "tittel",
    "beskrivelse",
    "virkemiddel",
    "finansiering",
    "forventet_resultat",
    "hovedansvar_tekst",
    "samarbeidsparter_tekst",
)
SEARCH_CONFIG = "norwegian_unaccent"
MAX_WORDS = 10
_NUMBER = re.compile(r"^(\d{1,4})\.(\d{1,4})$")
_AA = re.compile("aa", re.IGNORECASE)


class SearchDocument(Func):
    """The searchable fields as one text, `COALESCE(f, '') || ' ' || …`, the same expression as
    SearchVector builds and the indexes hold."""

    arg_joiner = " || ' ' || "
    template = "%(expressions)s"
    output_field = TextField()

    def __init__(self, *fields: str):
        super().__init__(*[Coalesce(F(name), Value("")) for name in fields])


class Fold(Func):
    """`portal_fold(text)`: the database's twin of partnerskap.selectors.fold. On PostgreSQL an
    immutable SQL function over unaccent (0004_search); on SQLite the Python function itself."""

    function = "portal_fold"
    output_field = TextField()

    def as_sqlite(self, compiler, connection, **extra_context):
        # Registered here, when a query first needs it, rather than on connection_created: the
        # connection may be older than this module (tests, a shell), and registering again is
        # cheap. Deterministic, so SQLite may also index it.
        connection.ensure_connection()
        connection.connection.create_function("portal_fold", 1, _fold_or_none, deterministic=True)
        return self.as_sql(compiler, connection, **extra_context)


# A tiltak's text is folded for every word of every search: remember the last few thousand
# (about 1 kB each), so a search reads the folded texts instead of folding them again.
@functools.lru_cache(maxsize=4096)
def _fold_or_none(text: str | None) -> str | None:
    return None if text is None else fold(text)


def search_words(text: str) -> list[str]:
    """The words of a free-text search that count (at most MAX_WORDS)."""
    return (text or "").split()[:MAX_WORDS]


def _text_matches(word: str, *, vendor: str) -> list[Q]:
    """The conditions on a tiltak's own text, each to be its own subquery: OR-ed in one query,
    PostgreSQL would recheck both on every row either index finds (recomputing the tsvector of
    each: 54 ms instead of 7 ms for «kommunene» at 10× the demo data)."""
    substring = Q(Contains(Fold(SearchDocument(*SEARCH_FIELDS)), fold(word)))
    if vendor != "postgresql":
        return [substring]
    full_text = Q(
        SearchVectorExact(
            SearchVector(*SEARCH_FIELDS, config=SEARCH_CONFIG),
            # «aa» is how å is typed without it; unaccent makes å an a, so «Regionraadet»
            # stems like «Regionrådet».
            SearchQuery(
                _AA.sub(lambda m: m[0][0], word), config=SEARCH_CONFIG, search_type="plain"
            ),
        )
    )
    return [full_text, substring]


def tiltak_text_search(queryset: QuerySet[Tiltak], text: str) -> QuerySet[Tiltak]:
    """`queryset` narrowed to the tiltak matching every word of `text` (see the module's
    docstring); unchanged when `text` has no words. Each alternative is a subquery of ids (on
    PostgreSQL answered from its own index), so the outer query only checks membership. Costs
    two queries to read the organisation registry, whatever the words and the data."""
    vendor = connections[queryset.db].vendor
    words = search_words(text)
    organisations = organisasjon_ids_matching_each(words)
    per_word = []
    for word in words:
        alternatives = [
            Q(pk__in=Tiltak.alle.filter(condition).values("pk"))
            for condition in _text_matches(word, vendor=vendor)
        ]
        org_ids = organisations[word]
        if org_ids:
            alternatives.append(
                Q(pk__in=Ansvar.objects.filter(organisasjon_id__in=org_ids).values("tiltak_id"))
            )
        number = _NUMBER.match(word)
        if number:
            alternatives.append(
                Q(
                    pk__in=Tiltak.alle.filter(
                        tema__nummer=int(number[1]), nummer=int(number[2])
                    ).values("pk")
                )
            )
        per_word.append(reduce(or_, alternatives))
    for condition in per_word:
        queryset = queryset.filter(condition)
    return queryset


def tiltak_list(*, queryset: QuerySet[Tiltak]) -> QuerySet[Tiltak]:
    return (
        queryset.select_related("program", "tema", "delmaal", "satsingsomraade")
        .prefetch_related(ansvar_prefetch())
        .order_by(
            "program__start_aar",
            "program_id",
            "tema__nummer",
            F("nummer").asc(nulls_last=True),
            "id",
        )
    )


def tiltak_detail(*, queryset: QuerySet[Tiltak], pk: int) -> Tiltak:
    return (
        queryset.select_related(
            "program", "program__eier", "tema", "tema__ansvarlig", "delmaal", "satsingsomraade"
        )
        .prefetch_related(ansvar_prefetch())
        .get(pk=pk)
    )


def programme_tiltak(*, programme: Handlingsprogram) -> QuerySet[Tiltak]:
    """The programme's tiltak (not deleted) in the programme's order, with everything a row of
    the Excel sheet needs: two queries whatever the size."""
    return (
        Tiltak.objects.filter(program=programme)
        .select_related("tema", "delmaal", "satsingsomraade")
        .prefetch_related(ansvar_prefetch())
        .order_by("tema__nummer", "rekkefoelge", "id")
    )
