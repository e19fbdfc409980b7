"""The Excel import's pending upload goes through Django's storage API
(tiltak/services/excel/pending.py): kept under excel-pending/ in default_storage, whatever
storage that is, read back on apply, deleted after apply or cancel, and by `manage.py
periodic` once stale. Runs in both passes (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import time

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from partnerskap.models import BrukerRolle, Organisasjon
from tests.factories import BrukerFactory
from tests.tiltak.xlsx_helpers import edit, set_cell
from tiltak.exports import programme_xlsx
from tiltak.models import Handlingsprogram, ProgramStatus, Tiltak
from tiltak.services.excel import pending

from .conftest import TEST_SECRET_KEY, manage

IN_MEMORY = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


# --- The store itself -------------------------------------------------------------------------


def test_a_pending_upload_is_a_file_in_default_storage(media):
    token = pending.store(b"PK\x03\x04 workbook bytes")
    name = f"excel-pending/{token}.xlsx"
    assert default_storage.exists(name)
    assert (media / name).read_bytes() == b"PK\x03\x04 workbook bytes"
    assert pending.read(token) == b"PK\x03\x04 workbook bytes"
    pending.discard(token)
    assert not default_storage.exists(name)
    assert pending.read(token) is None
    pending.discard(token)  # already gone: nothing happens


@pytest.mark.parametrize(
    "token",
    [
        None,
        42,
        "",
        "../../etc/passwd",
        "1700000000-../../secret_key",
        "abc" * 12,  # the old format without the time
        "1700000000-short",
    ],
)
def test_a_malformed_token_reads_nothing_and_deletes_nothing(media, token):
    (media / "excel-pending").mkdir(parents=True)
    (media / "excel-pending" / "keep.xlsx").write_bytes(b"x")
    assert pending.read(token) is None
    assert not pending.exists(token)
    pending.discard(token)
    assert (media / "excel-pending" / "keep.xlsx").exists()


def test_an_old_upload_is_not_read_and_is_cleaned(settings, media):
    settings.EXCEL_PENDING_MAX_AGE_HOURS = 2
    now = time.time()
    old = pending.store(b"old", now=now - 2 * 3600 - 5)
    fresh = pending.store(b"fresh", now=now - 2 * 3600 + 60)
    foreign = default_storage.save("excel-pending/notes.txt", ContentFile(b"not ours"))

    assert pending.read(old, now=now) is None
    assert pending.read(fresh, now=now) == b"fresh"

    assert pending.clean_stale(now=now) == 1
    assert not pending.exists(old)
    assert pending.exists(fresh)
    assert default_storage.exists(foreign)
    assert pending.clean_stale(now=now) == 0  # idempotent


def test_clean_with_nothing_ever_uploaded(media):
    assert not media.exists()
    assert pending.clean_stale() == 0


@pytest.mark.django_db
def test_manage_periodic_deletes_stale_uploads(settings, media):
    settings.EXCEL_PENDING_MAX_AGE_HOURS = 1
    stale = pending.store(b"stale", now=time.time() - 3 * 3600)
    fresh = pending.store(b"fresh")
    call_command("periodic", "--job", "excel-pending", stdout=(out := _Out()))
    assert out.text == "excel-pending: done, 1 stale pending Excel uploads deleted\n"
    assert not pending.exists(stale) and pending.exists(fresh)


class _Out:
    def __init__(self):
        self.text = ""

    def write(self, text):
        self.text += text

    def flush(self):
        pass


# --- Through the pages, on a storage that is not the filesystem -------------------------------


@pytest.fixture
def draft(demo_data):
    programme = Handlingsprogram.objects.get(navn="Smart samhandling i Buskerud", start_aar=2019)
    Handlingsprogram.objects.filter(pk=programme.pk).update(status=ProgramStatus.UTKAST)
    programme.refresh_from_db()
    return programme


@pytest.fixture
def planner_client(client, demo_data):
    planner = BrukerFactory(
        email="planlegger@bfk.no",
        organisasjon=Organisasjon.objects.get(slug="bfk"),
        rolle=BrukerRolle.PLANLEGGER,
    )
    client.force_login(planner)
    client.cookies["portal_language"] = "en"
    return client


def _pending_names() -> list[str]:
    try:
        return default_storage.listdir("excel-pending/")[1]
    except FileNotFoundError:
        return []


@pytest.mark.django_db
@pytest.mark.parametrize("outcome", ["apply", "cancel"])
def test_preview_and_apply_keep_the_upload_only_in_the_storage(
    settings, media, planner_client, draft, outcome
):
    settings.STORAGES = IN_MEMORY
    first = Tiltak.objects.filter(program=draft).order_by("tema__nummer", "rekkefoelge", "id")[0]
    data = edit(programme_xlsx(draft), lambda ws: set_cell(ws, first.pk, "G", "Fra lagringen"))
    upload_url = reverse("tiltak:programme_import", kwargs={"pk": draft.pk})
    preview_url = reverse("tiltak:programme_import_preview", kwargs={"pk": draft.pk})

    with translation.override("en"):
        response = planner_client.post(
            upload_url, {"fil": SimpleUploadedFile("p.xlsx", data, "application/octet-stream")}
        )
        assert response.status_code == 302
        (name,) = _pending_names()
        token = planner_client.session["tiltak_excel_import"][str(draft.pk)]["token"]
        assert name == f"{token}.xlsx"
        with default_storage.open(f"excel-pending/{name}", "rb") as fh:
            assert fh.read() == data
        assert not media.exists(), "the filesystem was used instead of the configured storage"

        preview = planner_client.get(preview_url).context["preview"]
        if outcome == "apply":
            response = planner_client.post(
                preview_url, {"fingerprint": preview.fingerprint, "bekreft": ""}
            )
            assert response.status_code == 302
            assert Tiltak.objects.get(pk=first.pk).tittel == "Fra lagringen"
        else:
            response = planner_client.post(preview_url, {"avbryt": ""})
            assert response.status_code == 302
            assert Tiltak.objects.get(pk=first.pk).tittel != "Fra lagringen"
    assert _pending_names() == []
    # Gone for the session too: the preview sends the planner back to the upload form.
    assert planner_client.get(preview_url)["Location"] == upload_url + "?utloept=1"


@pytest.mark.django_db
def test_a_second_upload_replaces_the_first_in_the_storage(settings, planner_client, draft):
    settings.STORAGES = IN_MEMORY
    upload_url = reverse("tiltak:programme_import", kwargs={"pk": draft.pk})
    data = programme_xlsx(draft)
    for _ in range(2):
        planner_client.post(
            upload_url, {"fil": SimpleUploadedFile("p.xlsx", data, "application/octet-stream")}
        )
    assert len(_pending_names()) == 1


# --- S3-compatible object storage: configuration only (no S3 server runs here) ---------------

SHOW_STORAGE = """
import json
from django.core.files.storage import default_storage
from django.conf import settings
url = default_storage.url("excel-pending/x.xlsx")
print(json.dumps({
    "class": type(default_storage._wrapped).__module__ + "." + type(default_storage._wrapped).__name__,
    "bucket": default_storage.bucket_name,
    "endpoint": default_storage.endpoint_url,
    "location": default_storage.location,
    "acl": default_storage.default_acl,
    "overwrite": default_storage.file_overwrite,
    "url": url,
}))
"""


def test_s3_compatible_storage_when_a_bucket_is_configured(tmp_path):
    result = manage(
        "shell",
        "-c",
        SHOW_STORAGE,
        DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite3'}",
        SECRET_KEY=TEST_SECRET_KEY,
        AWS_STORAGE_BUCKET_NAME="portal-vedlegg",
        AWS_S3_ENDPOINT_URL="https://s3.example.no",
        AWS_S3_REGION_NAME="no-south-1",
        AWS_S3_ADDRESSING_STYLE="path",
        AWS_LOCATION="buskerud",
        AWS_ACCESS_KEY_ID="AKIAOPSTEST",
        AWS_SECRET_ACCESS_KEY="ops-test-secret",
    )
    shown = json.loads(result.stdout.strip().splitlines()[-1])
    assert shown["class"] == "storages.backends.s3.S3Storage"
    assert (shown["bucket"], shown["endpoint"], shown["location"]) == (
        "portal-vedlegg",
        "https://s3.example.no",
        "buskerud",
    )
    assert shown["acl"] is None and shown["overwrite"] is False
    # Private objects: every URL is signed and names the path inside the bucket.
    assert shown["url"].startswith(
        "https://s3.example.no/portal-vedlegg/buskerud/excel-pending/x.xlsx?"
    )
    assert "Signature=" in shown["url"] or "X-Amz-Signature=" in shown["url"]


def test_the_filesystem_without_a_bucket(tmp_path):
    result = manage(
        "shell",
        "-c",
        "from django.core.files.storage import default_storage as s; "
        "print(s.location, type(s._wrapped).__name__)",
        DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite3'}",
        MEDIA_ROOT=str(tmp_path / "media"),
    )
    assert result.stdout.strip().splitlines()[-1].split() == [
        str(tmp_path / "media"),
        "FileSystemStorage",
    ]
