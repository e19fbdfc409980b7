"""`make rush`'s check (scripts/rush.py `check`) can fail: a duplicate submitted row, a row
submitted after the deadline, an accepted submission that was not stored, a refused one that
was, a receipt whose SHA-256 is not the stored one, a 5xx, or a run that never exercised the
late requests each make it fail; the clean case passes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from scripts.rush import Row, check

FRIST = datetime(2026, 11, 30, 9, 0, 0, tzinfo=UTC)
SHA = "a" * 64


def _clean():
    rows = [
        Row(1, 10, 1, "innsendt", FRIST - timedelta(seconds=5), SHA),
        Row(2, 11, 1, "innsendt", FRIST, SHA.replace("a", "b")),
        Row(3, 12, 1, "utkast", None, ""),
    ]
    frist = {10: FRIST, 11: FRIST, 12: FRIST}
    accepted = [
        {"organisasjon": 10, "svar": 1, "versjon_nr": 1, "sha256": SHA},
        {"organisasjon": 10, "svar": 1, "versjon_nr": 1, "sha256": SHA},  # a double click
        {"organisasjon": 11, "svar": 2, "versjon_nr": 1, "sha256": SHA.replace("a", "b")},
    ]
    refused = [{"organisasjon": 12, "svar": 3}]
    return rows, frist, accepted, refused


def test_a_clean_run_passes():
    rows, frist, accepted, refused = _clean()
    verdict = check(rows, frist, accepted, refused, {"5xx": 0}, exercised={"late": 1})
    assert verdict.passed, verdict.problems
    assert verdict.counts["accepted submissions (distinct answers)"] == 2


def test_a_duplicate_submitted_row_fails():
    rows, frist, accepted, refused = _clean()
    rows.append(Row(4, 10, 1, "innsendt", FRIST - timedelta(seconds=4), SHA))
    verdict = check(rows, frist, accepted, refused, {})
    assert not verdict.passed
    assert verdict.problems == ["organisation 10: 2 submitted rows for versjon_nr 1"]


def test_a_row_submitted_after_the_deadline_fails():
    rows, frist, accepted, refused = _clean()
    rows[1] = Row(2, 11, 1, "innsendt", FRIST + timedelta(seconds=1), SHA.replace("a", "b"))
    verdict = check(rows, frist, accepted, refused, {})
    assert not verdict.passed
    assert len(verdict.problems) == 1 and "after the deadline" in verdict.problems[0]


def test_an_extension_moves_the_deadline_of_its_organisation_only():
    rows, frist, accepted, refused = _clean()
    rows[1] = Row(2, 11, 1, "innsendt", FRIST + timedelta(hours=1), SHA.replace("a", "b"))
    assert check(rows, {**frist, 11: FRIST + timedelta(days=1)}, accepted, refused, {}).passed


def test_an_accepted_submission_not_stored_fails():
    rows, frist, accepted, refused = _clean()
    rows = [r for r in rows if r.id != 2]
    verdict = check(rows, frist, accepted, refused, {})
    assert verdict.problems == ["answer 2: accepted (2xx) but not stored as submitted"]


def test_a_refused_submission_that_was_stored_fails():
    rows, frist, accepted, refused = _clean()
    rows[2] = Row(3, 12, 1, "innsendt", FRIST - timedelta(seconds=1), SHA)
    verdict = check(rows, frist, accepted, refused, {})
    assert verdict.problems == ["answer 3: refused to the client, yet stored as submitted"]


def test_a_receipt_with_another_hash_or_a_missing_hash_fails():
    rows, frist, accepted, refused = _clean()
    accepted[0] = {**accepted[0], "sha256": "c" * 64}
    rows[1] = Row(2, 11, 1, "innsendt", FRIST, "")
    accepted[2] = {**accepted[2], "sha256": ""}
    problems = check(rows, frist, accepted, refused, {}).problems
    assert "answer 1: the receipt's SHA-256 is not the stored one" in problems
    assert "answer 2: submitted without a SHA-256" in problems


def test_a_5xx_or_an_unexercised_scenario_fails():
    rows, frist, accepted, refused = _clean()
    assert check(rows, frist, accepted, refused, {"5xx": 1}).problems == ["1 5xx answers"]
    verdict = check(rows, frist, accepted, refused, {}, exercised={"late requests refused": 0})
    assert verdict.problems == ["the run never exercised: late requests refused"]
