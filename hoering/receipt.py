"""The receipt of a submitted answer as PDF (WeasyPrint), from its own print template and
small print stylesheet (templates/hoering/svar/receipt_pdf.html with hoering/print/receipt.css,
given to WeasyPrint directly) — never the screen CSS."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from django.template.loader import render_to_string
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from .forms_svar import FORSLAG_SPORSMAAL
from .models import Hoeringssvar

PRINT_CSS = Path(__file__).parent / "print" / "receipt.css"


def submitted_at_display(value: datetime) -> str:
    """«23. oktober 2018 kl. 23.59.59» in Europe/Oslo: the submission time to the second."""
    local = timezone.localtime(value)
    sep = "." if "." in str(formats.get_format("TIME_FORMAT")) else ":"
    return _("%(date)s at %(time)s") % {
        "date": formats.date_format(local, "DATE_FORMAT"),
        "time": formats.date_format(local, f"H{sep}i{sep}s"),
    }


def receipt_pdf(svar: Hoeringssvar) -> bytes:
    """A4 receipt: hearing, organisation, version, signatory, submission time to the second,
    SHA-256 of the canonical content, and the content itself. `svar` comes from
    hoering.selectors.svar.svar_med_innhold (its positions and proposals prefetched)."""
    from weasyprint import CSS, HTML

    html = render_to_string(
        "hoering/svar/receipt_pdf.html",
        {
            "svar": svar,
            "hoering": svar.hoering,
            "innsendt_visning": submitted_at_display(svar.innsendt),
            "forslag_sporsmaal": FORSLAG_SPORSMAAL,
        },
    )
    return HTML(string=html, base_url=None).write_pdf(stylesheets=[CSS(filename=str(PRINT_CSS))])
