"""scripts/backup.sh and scripts/restore.sh (README «Operations»): a backup of a database with
the demo data and history, restored into an empty database, holds every row again; and a
restore never mixes with live data."""

from __future__ import annotations

from pathlib import Path

import psycopg2
from psycopg2 import sql

from .conftest import manage, requires_postgres, run, run_failing

pytestmark = requires_postgres

# Tables that must hold rows in the demo database, so "equal" cannot mean "both empty".
# Hook: when hearings store answers (hoering.Hoeringssvar and its history), add their tables
# here; the whole-database comparison below already covers every table there is.
MUST_HAVE_ROWS = [
    "tiltak_handlingsprogram",
    "tiltak_tema",
    "tiltak_tiltak",
    "tiltak_ansvar",
    "tiltak_historicalhandlingsprogram",
    "tiltak_historicaltiltak",
    "tiltak_historicalansvar",
    "partnerskap_organisasjon",
    "partnerskap_bruker",
]


def _snapshot(url: str) -> dict[str, tuple[int, str]]:
    """Every table of the public schema: (row count, md5 of all rows in a fixed order)."""
    connection = psycopg2.connect(url)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            tables = sorted(row[0] for row in cursor.fetchall())
            snapshot = {}
            for table in tables:
                cursor.execute(
                    sql.SQL(
                        "SELECT count(*), md5(coalesce(string_agg(t::text, chr(10) "
                        "ORDER BY t::text), '')) FROM {} t"
                    ).format(sql.Identifier(table))
                )
                snapshot[table] = cursor.fetchone()
            return snapshot
    finally:
        connection.close()


def _rows(url: str, sql: str, *params) -> list[tuple]:
    connection = psycopg2.connect(url)
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    finally:
        connection.close()


def _backup(url: str, dest: Path, media: Path) -> Path:
    result = run(["bash", "scripts/backup.sh", str(dest)], DATABASE_URL=url, MEDIA_ROOT=str(media))
    return Path(result.stdout.strip().splitlines()[-1])


def test_backup_restores_every_programme_tiltak_and_history_row(
    demo_database, scratch_databases, tmp_path
):
    source, edited_pk = demo_database
    media = tmp_path / "media"
    (media / "vedlegg").mkdir(parents=True)
    (media / "vedlegg" / "høringsinnspill.txt").write_text("Innspill fra Hallingdal\n")

    backup = _backup(source, tmp_path / "backups", media)
    assert backup.parent == tmp_path / "backups" and backup.name.startswith("portal-")
    assert sorted(p.name for p in backup.iterdir()) == [
        "SHA256SUMS",
        "database.dump",
        "media.tar.gz",
    ]
    assert not list((tmp_path / "backups").glob(".*partial")), "a partial backup was left"

    target = scratch_databases.create("restored")
    restored_media = tmp_path / "restored-media"
    run(
        ["bash", "scripts/restore.sh", str(backup)],
        DATABASE_URL=target,
        MEDIA_ROOT=str(restored_media),
    )

    before, after = _snapshot(source), _snapshot(target)
    for table in MUST_HAVE_ROWS:
        assert before[table][0] > 0, f"{table} is empty in the demo database"
    assert after == before

    programmes = _rows(target, "SELECT navn FROM tiltak_handlingsprogram ORDER BY navn")
    assert [name for (name,) in programmes][0] == (
        "Handlingsprogram 2021-2022 for Regional kompetansestrategi Vestfold og Telemark 2021-2028"
    )
    assert len(programmes) == 2
    assert _rows(target, "SELECT count(*) FROM tiltak_tiltak") == [(178,)]
    # The edit made through tiltak_update, with who and why, is in the restored history.
    edit = _rows(
        target,
        "SELECT h.tittel, h.history_change_reason, u.email FROM tiltak_historicaltiltak h "
        "JOIN partnerskap_bruker u ON u.id = h.history_user_id "
        "WHERE h.id = %s AND h.history_type = '~'",
        edited_pk,
    )
    assert len(edit) == 1
    assert edit[0][0].endswith(" (endret)")
    assert edit[0][1:] == ("Endret i driftstesten", "ops-test@example.no")

    assert (restored_media / "vedlegg" / "høringsinnspill.txt").read_text() == (
        "Innspill fra Hallingdal\n"
    )
    # The restored database is one the portal can run on: no migration is missing.
    manage("migrate", "--check", DATABASE_URL=target)


def test_restore_refuses_a_database_with_tables_and_a_damaged_backup(
    demo_database, scratch_databases, tmp_path
):
    source, _edited = demo_database
    backup = _backup(source, tmp_path / "backups", tmp_path / "no-media")
    before = _snapshot(source)

    # Into the live database: refused, nothing changed.
    refused = run_failing(
        ["bash", "scripts/restore.sh", str(backup)],
        DATABASE_URL=source,
        MEDIA_ROOT=str(tmp_path / "restore-media"),
    )
    assert "restore into a new, empty one" in refused.stderr
    assert _snapshot(source) == before

    # A damaged dump: refused before the database is touched.
    dump = backup / "database.dump"
    dump.write_bytes(dump.read_bytes()[:-100])
    empty = scratch_databases.create("damaged")
    refused = run_failing(
        ["bash", "scripts/restore.sh", str(backup)],
        DATABASE_URL=empty,
        MEDIA_ROOT=str(tmp_path / "restore-media"),
    )
    assert "checksums do not match" in refused.stderr
    assert _rows(empty, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == [(0,)]
