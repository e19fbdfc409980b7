"""The catalogues are complete, compiled and used: bokmål first, nynorsk and English complete.

The catalogue checks share their code with scripts/translations_status.py, the report developers
run before committing, so both find the same problems.
"""

import datetime
import importlib.util
import os
import re
import shutil
import zoneinfo
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils import formats, translation

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = ("nb", "nn", "en")


def _load_status_module():
    spec = importlib.util.spec_from_file_location(
        "translations_status", ROOT / "scripts" / "translations_status.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


status = _load_status_module()


def _catalogue(language: str) -> polib.POFile:
    path = status.po_path(language)
    assert path.exists(), f"{path} is missing: run `make messages`"
    return polib.pofile(str(path))


def _listing(keys) -> str:
    return "\n".join(f"  {status.show(k)}" for k in sorted(keys))


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_header(language):
    po = _catalogue(language)
    assert po.metadata["Language"] == language
    assert po.metadata["Content-Type"] == "text/plain; charset=UTF-8"
    assert po.metadata["Plural-Forms"] == "nplurals=2; plural=(n != 1);"
    assert not po.metadata_is_fuzzy, "remove '#, fuzzy' from the header"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_entry_is_translated(language):
    po = _catalogue(language)
    assert len(po) > 100, "the catalogue is nearly empty"
    untranslated = status.untranslated(po)
    assert not untranslated, (
        f"untranslated or fuzzy in locale/{language}:\n{_listing(untranslated)}"
    )
    for entry in po:
        if entry.msgid_plural:
            assert sorted(entry.msgstr_plural) == [0, 1], f"{entry.msgid!r} needs 2 plural forms"
    obsolete = [status.key(e) for e in po.obsolete_entries()]
    assert not obsolete, f"obsolete '#~' entries in locale/{language}:\n{_listing(obsolete)}"


_PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]|\{(\w*)\}")


def _placeholders(text: str) -> list[str]:
    return sorted("".join(groups) for groups in _PLACEHOLDER.findall(text))


@pytest.mark.parametrize("language", LANGUAGES)
def test_placeholders_are_kept(language):
    wrong = []
    for entry in _catalogue(language):
        if entry.msgid_plural:
            pairs = [(entry.msgid, entry.msgstr_plural.get(0, ""))]
            pairs += [(entry.msgid_plural, s) for i, s in entry.msgstr_plural.items() if i > 0]
        else:
            pairs = [(entry.msgid, entry.msgstr)]
        for source, translated in pairs:
            if translated and _placeholders(source) != _placeholders(translated):
                wrong.append(f"  {source!r} -> {translated!r}")
    assert not wrong, f"placeholders changed in locale/{language}:\n" + "\n".join(wrong)


def test_english_is_the_msgid():
    changed = []
    for entry in _catalogue("en"):
        if entry.msgid_plural:
            if entry.msgstr_plural != {0: entry.msgid, 1: entry.msgid_plural}:
                changed.append(entry.msgid)
        elif entry.msgstr != entry.msgid:
            changed.append(entry.msgid)
    assert not changed, "English msgstr differs from its msgid (fix the msgid in the code):\n" + (
        _listing(changed)
    )


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def test_catalogues_cover_every_string_in_the_code(tmp_path):
    if shutil.which("xgettext") is None:
        message = "xgettext (GNU gettext) is not installed, so the code's strings are not checked"
        if _in_ci():
            pytest.fail(f"{message}; CI must install gettext")
        pytest.skip(message)
    extracted = status.extract_keys(tmp_path / "repo")
    assert len(extracted) > 100, "makemessages found almost nothing; is the copy complete?"
    for language in LANGUAGES:
        missing = extracted - status.translated_keys(_catalogue(language))
        assert not missing, (
            f"{len(missing)} string(s) in the code lack a {language} translation; run "
            f"`make messages` and translate them in locale/{language}:\n{_listing(missing)}"
        )


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_mo_matches_po(language):
    po = _catalogue(language)
    in_memory = polib.mofile(po.to_binary())
    mo_path = status.po_path(language).with_suffix(".mo")
    assert mo_path.exists(), f"{mo_path} is missing: run `make messages`"
    committed = polib.mofile(str(mo_path))
    assert status.compiled(committed) == status.compiled(in_memory), (
        f"locale/{language}/LC_MESSAGES/django.mo is out of date: run `make messages`"
    )


def _html_lang(response) -> str:
    match = re.search(r'<html lang="([^"]+)"', response.content.decode())
    assert match, "no <html lang> in the page"
    return match.group(1)


@pytest.mark.django_db
def test_language_cookie_shows_nynorsk(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nn"
    response = client.get("/")
    assert response.status_code == 200
    assert _html_lang(response) == "nn"
    content = response.content.decode()
    assert ">Handlingsprogram<" in content
    assert "Handlingsprogrammer" not in content
    assert "Byt språk" in content


@pytest.mark.django_db
@pytest.mark.parametrize("accept_language", [None, "en", "nn,en;q=0.8"])
def test_bokmaal_without_cookie_whatever_the_browser_asks(client, accept_language):
    headers = {"HTTP_ACCEPT_LANGUAGE": accept_language} if accept_language else {}
    response = client.get("/", **headers)
    assert response.status_code == 200
    assert _html_lang(response) == "nb"
    assert response["Content-Language"] == "nb"
    content = response.content.decode()
    assert ">Handlingsprogrammer<" in content
    assert "Action programmes" not in content


@pytest.mark.django_db
def test_english_cookie_shows_english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/")
    assert _html_lang(response) == "en"
    assert ">Action programmes<" in response.content.decode()


@pytest.mark.parametrize("language", ["nb", "nn"])
def test_norwegian_deadline_format(language):
    deadline = datetime.datetime(2018, 10, 23, 23, 59, tzinfo=zoneinfo.ZoneInfo("Europe/Oslo"))
    with translation.override(language):
        assert formats.date_format(deadline, "DATETIME_FORMAT") == "23. oktober 2018 kl. 23.59"
        assert formats.date_format(deadline, "DATE_FORMAT") == "23. oktober 2018"
        assert formats.date_format(deadline, "SHORT_DATETIME_FORMAT") == "23.10.2018 23.59"


@pytest.mark.parametrize(
    ("language", "expected"),
    [("nb", "Handlingsprogrammer"), ("nn", "Handlingsprogram"), ("en", "Action programmes")],
)
def test_gettext_uses_the_committed_catalogue(language, expected):
    with translation.override(language):
        assert translation.gettext("Action programmes") == expected
        assert (
            translation.ngettext("%(counter)s measure found", "%(counter)s measures found", 3)
            % {"counter": 3}
            == {
                "nb": "3 tiltak funnet",
                "nn": "3 tiltak funne",
                "en": "3 measures found",
            }[language]
        )
