"""The case papers as a document: one HTML (own print templates and stylesheet, never the screen
CSS: Designsystemet's makes WeasyPrint fail or take a minute), rendered to a tagged A4 PDF
(PDF/UA-1) by WeasyPrint, shown as a printable page, or written as a Word file.

A document is identified by a hash of the content it is made from (`content_key`): the case's
texts and settings, the document language, and each included part's fingerprint (for the
programme table: every row it prints). The PDF and the .docx are kept in Django's storage under
that hash and made again only when it changes (rapportering/saksframlegg/cache.py)."""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from rapportering.models_saksframlegg import Saksframlegg
from tiltak.extensions import Section, section
from tiltak.models import Ansvar, Delmaal, Satsingsomraade, Tema, Tiltak
from tiltak.selectors.tree import programme_tree

from . import markup

# Raised when the templates or the stylesheet change what a document looks like, so cached
# files made by the old layout are not served again.
LAYOUT_VERSION = "1"
STYLESHEET = "css/saksframlegg.css"
FONT_FAMILY = '"Noto Sans", "DejaVu Sans", sans-serif'


# --- The programme table (a section: tiltak.extensions, slot "saksframlegg") ------------------


def programme_rows(programme) -> list[dict]:
    """Every tiltak of the programme in the programme's order, as the table prints it: tema,
    delmål, satsingsområde, number, title, leads, collaborators (the organisations' names; the
    text as written when no organisation is linked). Five queries (programme_tree)."""
    rows = []
    for node in programme_tree(programme=programme):
        tema = node.tema
        for dnode in node.delmaal:
            for snode in dnode.satsingsomraader:
                for t in snode.tiltak:
                    leads = [a.organisasjon.navn for a in t.hovedansvar()]
                    partners = [a.organisasjon.navn for a in t.samarbeidsparter()]
                    rows.append(
                        {
                            "tema_id": tema.pk,
                            "tema": f"{tema.nummer} {tema.navn}",
                            "delmaal": str(dnode.delmaal) if dnode.delmaal else "",
                            "satsingsomraade": snode.satsingsomraade.navn
                            if snode.satsingsomraade
                            else "",
                            "nr": t.nummer_visning,
                            "tittel": t.tittel,
                            "hovedansvar": ", ".join(leads) or t.hovedansvar_tekst,
                            "samarbeidsparter": ", ".join(partners) or t.samarbeidsparter_tekst,
                        }
                    )
    return rows


def _tema_groups(programme, rows: list[dict]) -> list[dict]:
    groups: list[dict] = []
    for row in rows:
        if not groups or groups[-1]["tema_id"] != row["tema_id"]:
            groups.append({"tema_id": row["tema_id"], "tema": row["tema"], "rows": []})
        groups[-1]["rows"].append(row)
    betegnelse = programme.get_nivaa_betegnelse_display()
    for g in groups:
        g["title"] = f"{betegnelse} {g['tema']}"
    return groups


def programme_table_context(programme, **options) -> dict:
    rows = options.get("rows")
    if rows is None:
        rows = programme_rows(programme)
    return {"programme": programme, "rows": rows, "groups": _tema_groups(programme, rows)}


def _digest(value) -> str:
    data = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(data.encode()).hexdigest()


def programme_fingerprint(programme) -> str:
    """Changes whenever a row of the programme table would: the raw columns it is made from
    (five queries of plain tuples, several times faster than building the rows, so a cached
    PDF is found quickly even for a large programme)."""
    tiltak = Tiltak.objects.filter(program=programme).order_by("id")
    return _digest(
        [
            programme.navn,
            programme.periode,
            programme.nivaa_betegnelse,
            list(
                Tema.objects.filter(program=programme)
                .order_by("id")
                .values_list("id", "nummer", "navn")
            ),
            list(
                Delmaal.objects.filter(tema__program=programme)
                .order_by("id")
                .values_list("id", "tema_id", "nummer", "navn", "rekkefoelge")
            ),
            list(
                Satsingsomraade.objects.filter(tema__program=programme)
                .order_by("id")
                .values_list("id", "tema_id", "delmaal_id", "navn", "rekkefoelge")
            ),
            list(
                tiltak.values_list(
                    "id",
                    "tema_id",
                    "delmaal_id",
                    "satsingsomraade_id",
                    "nummer",
                    "tittel",
                    "rekkefoelge",
                    "hovedansvar_tekst",
                    "samarbeidsparter_tekst",
                )
            ),
            list(
                Ansvar.objects.filter(tiltak__in=tiltak)
                .order_by("id")
                .values_list("id", "tiltak_id", "rolle", "rekkefoelge", "organisasjon__navn")
            ),
        ]
    )


def programme_table_docx(document, context: dict) -> None:
    labels = [
        _("Sub-goal"),
        _("Priority area"),
        _("No."),
        _("Measure"),
        _("Lead responsibility"),
        _("Collaborators"),
    ]
    keys = ["delmaal", "satsingsomraade", "nr", "tittel", "hovedansvar", "samarbeidsparter"]
    for group in context["groups"]:
        document.add_heading(group["title"], level=2)
        table = document.add_table(rows=1 + len(group["rows"]), cols=len(keys))
        table.style = "Table Grid"
        header = table.rows[0]
        for cell, label in zip(header.cells, labels, strict=True):
            cell.text = str(label)
            cell.paragraphs[0].runs[0].bold = True
        _repeat_header(header)
        for row, data in zip(table.rows[1:], group["rows"], strict=True):
            for cell, key in zip(row.cells, keys, strict=True):
                cell.text = data[key] or ""


def _repeat_header(row) -> None:
    """Mark a Word table row as a header row repeated on every page."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tr_pr = row._tr.get_or_add_trPr()
    element = OxmlElement("w:tblHeader")
    element.set(qn("w:val"), "true")
    tr_pr.append(element)


# --- The document -----------------------------------------------------------------------------


@dataclass
class Part:
    section: Section
    title: str
    context: dict


def included_parts(sak: Saksframlegg) -> list[Section]:
    """The chosen parts that are registered now, in the order the planner chose them (a part
    whose app is not installed is left out)."""
    found = [section("saksframlegg", name) for name in sak.deler]
    return [s for s in found if s is not None]


def content_key(sak: Saksframlegg) -> str:
    """The hash of everything the document is made from."""
    fields = {
        name: getattr(sak, name)
        for name in (
            "saksnummer",
            "tittel",
            "utvalg",
            "moetedato",
            "saksopplysninger",
            "vurdering",
            "forslag_til_vedtak",
            "deler",
            "spraak",
        )
    }
    parts = []
    for s in included_parts(sak):
        if s.fingerprint is not None:
            parts.append([s.name, s.fingerprint(sak.program)])
        else:
            parts.append([s.name, _digest(s.context(sak.program, saksframlegg=sak))])
    return _digest({"layout": LAYOUT_VERSION, "fields": fields, "parts": parts, "id": sak.pk})[:32]


def document_context(sak: Saksframlegg) -> dict:
    """Everything the templates need, in the document's language."""
    programme = sak.program
    with translation.override(sak.spraak):
        parts = []
        for s in included_parts(sak):
            context = s.context(programme, saksframlegg=sak, language=sak.spraak)
            if context is None:
                continue
            parts.append(Part(section=s, title=str(s.title), context=context))
        return {
            "sak": sak,
            "programme": programme,
            "language": sak.spraak,
            "forslag": markup.to_html(sak.forslag_til_vedtak),
            "saksopplysninger": markup.to_html(sak.saksopplysninger),
            "vurdering": markup.to_html(sak.vurdering),
            "parts": parts,
        }


def render_html(sak: Saksframlegg, *, for_pdf: bool, context: dict | None = None) -> str:
    context = context or document_context(sak)
    with translation.override(sak.spraak):
        parts_html = [
            {
                "id": f"del-{p.section.name}",
                "title": p.title,
                "html": render_to_string(p.section.print_template or p.section.template, p.context),
            }
            for p in context["parts"]
        ]
        return render_to_string(
            "rapportering/saksframlegg/print/document.html",
            {**context, "parts_html": parts_html, "for_pdf": for_pdf},
        )


def _page_css(sak: Saksframlegg) -> str:
    """What the static stylesheet cannot know: «Side X av Y» in the document's language."""
    with translation.override(sak.spraak):
        words = _("Page %(number)s of %(total)s") % {
            "number": '" counter(page) "',
            "total": '" counter(pages) "',
        }
    words = words.replace("\\", "").replace("\n", " ")
    return f'@page {{ @bottom-center {{ content: "{words}"; }} }}'


def stylesheet_path() -> str:
    path = finders.find(STYLESHEET)
    if not path:  # collected static files in production
        path = str(Path(settings.STATIC_ROOT) / STYLESHEET)
    return path


def render_pdf(sak: Saksframlegg, *, html: str | None = None) -> bytes:
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    html = html or render_html(sak, for_pdf=True)
    stylesheets = [
        CSS(filename=stylesheet_path(), font_config=fonts),
        CSS(string=_page_css(sak), font_config=fonts),
    ]
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(
        stylesheets=stylesheets, font_config=fonts, pdf_variant="pdf/ua-1"
    )


def render_docx(sak: Saksframlegg, *, context: dict | None = None) -> bytes:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.shared import Mm, Pt

    context = context or document_context(sak)
    document = Document()
    style = document.styles["Normal"]
    style.font.name = "Noto Sans"
    style.font.size = Pt(10)
    core = document.core_properties
    core.title = f"{sak.saksnummer} {sak.tittel}"
    core.language = sak.spraak
    with translation.override(sak.spraak):
        document.add_heading(sak.tittel, level=0)
        for label, value in (
            (_("Case number"), sak.saksnummer),
            (_("Committee"), sak.utvalg),
            (_("Meeting date"), _date(sak)),
            (_("Action programme"), f"{sak.program.navn} {sak.program.periode}"),
        ):
            p = document.add_paragraph()
            p.add_run(f"{label}: ").bold = True
            p.add_run(str(value))
        for title, text in (
            (_("Proposed decision"), sak.forslag_til_vedtak),
            (_("Background"), sak.saksopplysninger),
            (_("Assessment"), sak.vurdering),
        ):
            document.add_heading(str(title), level=1)
            markup.to_docx(document, text)
        for part in context["parts"]:
            new_section = document.add_section()
            new_section.orientation = WD_ORIENT.LANDSCAPE
            new_section.page_width, new_section.page_height = Mm(297), Mm(210)
            document.add_heading(part.title, level=1)
            if part.section.docx is not None:
                part.section.docx(document, part.context)
            else:
                document.add_paragraph(_("This part is in the PDF version of the case papers."))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _date(sak: Saksframlegg) -> str:
    from django.utils.formats import date_format

    with translation.override(sak.spraak):
        return date_format(sak.moetedato, "DATE_FORMAT")
