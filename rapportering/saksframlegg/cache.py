"""Generated once, served many times: the PDF and the .docx of a saksframlegg are kept in Django's
storage (default_storage) under the hash of the content they were made from
(document.content_key), and made again only when that changes. A PDF is made by a django-tasks
task (immediately in development and tests; by `manage.py db_worker` in production), so a web
worker never renders a large document; until it is ready the page says «Dokumentet lages …».
"""

from __future__ import annotations

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from rapportering.models_saksframlegg import Saksframlegg

from . import document

DIRECTORY = "saksframlegg"
PENDING_SECONDS = 15 * 60
FAILED_SECONDS = 60
PENDING, FAILED = "pending", "failed"


def path_for(sak_id: int, key: str, extension: str) -> str:
    return f"{DIRECTORY}/{sak_id}/{key}.{extension}"


def _marker(sak_id: int, key: str) -> str:
    return f"saksframlegg-pdf:{sak_id}:{key}"


def _store(sak_id: int, key: str, extension: str, data: bytes) -> str:
    """Save under the hash, and remove the files older content left behind."""
    path = path_for(sak_id, key, extension)
    if not default_storage.exists(path):
        saved = default_storage.save(path, ContentFile(data))
        if saved != path:  # another worker saved the same content meanwhile
            default_storage.delete(saved)
    directory = f"{DIRECTORY}/{sak_id}"
    try:
        _dirs, files = default_storage.listdir(directory)
    except (FileNotFoundError, NotImplementedError):
        files = []
    for name in files:
        if name.endswith(f".{extension}") and name != f"{key}.{extension}":
            default_storage.delete(f"{directory}/{name}")
    return path


def build_pdf(sak_id: int) -> str | None:
    """Render the PDF of the saksframlegg as it is now and store it; its path (None when the
    saksframlegg is gone). What the task runs."""
    sak = Saksframlegg.objects.select_related("program__eier").filter(pk=sak_id).first()
    if sak is None:
        return None
    key = document.content_key(sak)
    try:
        path = _store(sak_id, key, "pdf", document.render_pdf(sak))
    except Exception:
        cache.set(_marker(sak_id, key), FAILED, FAILED_SECONDS)
        raise
    cache.delete(_marker(sak_id, key))
    return path


def pdf_state(sak: Saksframlegg, *, start: bool = True) -> tuple[str, str]:
    """("ready", path) when the PDF of the current content is stored; otherwise starts making
    it (once: a marker in the cache says a task is already on its way) and returns
    ("pending", "") or ("failed", "") when the last attempt failed a moment ago."""
    from .tasks import make_saksframlegg_pdf

    key = document.content_key(sak)
    path = path_for(sak.pk, key, "pdf")
    if default_storage.exists(path):
        return "ready", path
    marker = _marker(sak.pk, key)
    if cache.get(marker) == FAILED:
        return FAILED, ""
    if start and cache.add(marker, PENDING, PENDING_SECONDS):
        make_saksframlegg_pdf.enqueue(sak.pk)
        if default_storage.exists(path):  # the immediate backend made it already
            return "ready", path
        if cache.get(marker) == FAILED:
            return FAILED, ""
    return PENDING, ""


def docx_path(sak: Saksframlegg) -> str:
    """The .docx of the current content, made now if it is not stored (python-docx writes even
    the 10× programme in a few seconds, see the benchmark)."""
    key = document.content_key(sak)
    path = path_for(sak.pk, key, "docx")
    if not default_storage.exists(path):
        _store(sak.pk, key, "docx", document.render_docx(sak))
    return path
