"""Free-text search of tiltak (tiltak/selectors/search.py).

PostgreSQL only (on SQLite this migration does nothing: `portal_fold` is a Python function
registered on the connection, and there is no stemming):

- the extensions unaccent and pg_trgm (both trusted: a database owner may create them);
- the text search configuration `norwegian_unaccent`: a copy of `norwegian` with unaccent before
  the Norwegian stemmer (ø→o, æ→ae, å→a), so «omdomme» finds «omdømme» and «kommunene» «kommune»;
- `portal_fold(text)`: lower(unaccent(text)) with aa→a, the twin of partnerskap.selectors.fold,
  immutable so it can be indexed (unaccent is called with its schema and dictionary named, so a
  dump restores with any search_path);
- two GIN indexes over the searchable fields, on exactly the expressions the search builds: the
  tsvector (full text) and the folded text with trigrams (substrings, LIKE '%word%').

The field list must match SEARCH_FIELDS in tiltak/selectors/search.py; a test on PostgreSQL
checks that the search uses both indexes.
"""

from django.db import migrations

FIELDS = (
    "tittel",
    "beskrivelse",
    "virkemiddel",
    "finansiering",
    "forventet_resultat",
    "hovedansvar_tekst",
    "samarbeidsparter_tekst",
)
DOCUMENT = " || ' ' || ".join(f"COALESCE({name}, '')" for name in FIELDS)


def _schema_of(cursor, extension: str) -> str:
    cursor.execute(
        "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
        "WHERE e.extname = %s",
        [extension],
    )
    return cursor.fetchone()[0]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    run = schema_editor.execute
    run("CREATE EXTENSION IF NOT EXISTS unaccent")
    run("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    with schema_editor.connection.cursor() as cursor:
        unaccent = schema_editor.quote_name(_schema_of(cursor, "unaccent"))
        trgm = schema_editor.quote_name(_schema_of(cursor, "pg_trgm"))
        cursor.execute("SELECT 1 FROM pg_ts_config WHERE cfgname = 'norwegian_unaccent'")
        config_exists = cursor.fetchone() is not None
    if not config_exists:
        run("CREATE TEXT SEARCH CONFIGURATION norwegian_unaccent (COPY = pg_catalog.norwegian)")
        # The token types that may hold non-ASCII letters; ASCII words go to the stemmer as
        # they are.
        run(
            "ALTER TEXT SEARCH CONFIGURATION norwegian_unaccent "
            f"ALTER MAPPING FOR hword, hword_part, word WITH {unaccent}.unaccent, norwegian_stem"
        )
    run(
        "CREATE OR REPLACE FUNCTION portal_fold(text) RETURNS text "
        "LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS "
        f"$$ SELECT replace(lower({unaccent}.unaccent('{unaccent}.unaccent'::regdictionary, $1)), "
        "'aa', 'a') $$"
    )
    run(
        "CREATE INDEX IF NOT EXISTS tiltak_search_fulltext ON tiltak_tiltak USING gin "
        f"(to_tsvector('norwegian_unaccent'::regconfig, {DOCUMENT}))"
    )
    run(
        "CREATE INDEX IF NOT EXISTS tiltak_search_folded ON tiltak_tiltak USING gin "
        f"(portal_fold({DOCUMENT}) {trgm}.gin_trgm_ops)"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    run = schema_editor.execute
    run("DROP INDEX IF EXISTS tiltak_search_folded")
    run("DROP INDEX IF EXISTS tiltak_search_fulltext")
    run("DROP FUNCTION IF EXISTS portal_fold(text)")
    run("DROP TEXT SEARCH CONFIGURATION IF EXISTS norwegian_unaccent")
    # The extensions stay: other objects may use them.


class Migration(migrations.Migration):
    dependencies = [
        ("tiltak", "0006_tittel_mangler_i_kilden"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
