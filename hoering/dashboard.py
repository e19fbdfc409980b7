"""The hearing's sections of the board's dashboard and the case papers (tiltak.extensions),
registered from HoeringConfig.ready():

- «Høring» (dashboard): while a hearing on the programme runs, or for RECENT_DAYS after its
  deadline: how many of the invited have answered, the tiltak whose lead is not confirmed or is
  declined (linked to the planner's overview for those who may manage the hearing), and the
  objections («kan ikke påta seg ansvaret»);
- «Høringssvar» (dashboard_since): the answers submitted since the chosen date;
- «Høringsoppsummering» (saksframlegg): the summary of the programme's latest opened hearing,
  the same content as the summary PDF (hoering.selectors.oppsummering).

Only submitted answers are counted or shown (current_answers); a draft is its organisation's
own. Each context costs a fixed number of queries whatever the number of answers.
"""

from __future__ import annotations

import datetime
import hashlib
import json

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tiltak.extensions import Section, register_section

from .deadlines import format_deadline
from .models import (
    Aktoerforslag,
    Hoering,
    Hoeringssvar,
    Invitasjon,
    Standpunkt,
    StandpunktValg,
    SvarStatus,
    Tiltaksforslag,
)
from .selectors.oppsummering import current_answers, hearing_summary
from .selectors.oversikt import commitment_matrix

RECENT_DAYS = 60
TILE = "hoering"
SINCE = "hoering_answers"
SUMMARY = "hoering_summary"


def _opened(programme):
    return Hoering.objects.filter(program=programme, aapnet__isnull=False).select_related(
        "program__eier"
    )


def relevant_hearing(programme, now: datetime.datetime | None = None) -> Hoering | None:
    """The hearing the tile is about: the opened one whose window holds now, else the one whose
    deadline passed at most RECENT_DAYS ago (the latest deadline first). One query."""
    now = now or timezone.now()
    recent = now - datetime.timedelta(days=RECENT_DAYS)
    return (
        _opened(programme).filter(aapner__lte=now, frist__gte=recent).order_by("-frist", "-id")
    ).first()


def latest_hearing(programme) -> Hoering | None:
    """The hearing the case papers summarise: the latest opened one (by deadline)."""
    return _opened(programme).order_by("-frist", "-id").first()


def tile_context(programme, *, user=None, now=None, **options) -> dict | None:
    hoering = relevant_hearing(programme, now=now)
    if hoering is None or user is None or not user.has_perm("hoering.view_hoering", hoering):
        return None
    answers = current_answers(hoering)
    invited = Invitasjon.objects.filter(hoering=hoering).count()
    _sections, unconfirmed = commitment_matrix(hoering, answers)
    declined = sum(1 for r in unconfirmed if r.lead_declined)
    objections = Standpunkt.objects.filter(
        svar_id__in=[s.pk for s in answers], standpunkt=StandpunktValg.KAN_IKKE
    ).count()
    may_manage = user.has_perm("hoering.manage_hoering", hoering)
    now = now or timezone.now()
    return {
        "hoering": hoering,
        "running": hoering.aapner <= now <= hoering.frist,
        "deadline": format_deadline(hoering.frist),
        "answered": len(answers),
        "invited": invited,
        "unconfirmed": len(unconfirmed),
        "declined": declined,
        "objections": objections,
        "overview_url": reverse("hoering:oversikt", args=[hoering.pk]) if may_manage else "",
        "hearing_url": hoering.get_absolute_url(),
    }


def since_context(programme, *, since=None, user=None, **options) -> dict | None:
    """The answers submitted since `since` to the programme's hearings the user may see."""
    if since is None or user is None:
        return None
    hearings = [h for h in _opened(programme) if user.has_perm("hoering.view_hoering", h)]
    if not hearings:
        return None
    by_id = {h.pk: h for h in hearings}
    answers = list(
        Hoeringssvar.objects.filter(
            hoering_id__in=by_id, status=SvarStatus.INNSENDT, innsendt__gte=since
        )
        .select_related("organisasjon")
        .order_by("-innsendt", "id")
    )
    readable: dict[int, bool] = {}
    rows = []
    for s in answers:
        s.hoering = by_id[s.hoering_id]
        if s.hoering_id not in readable:
            readable[s.hoering_id] = user.has_perm("hoering.view_svar", s)
        rows.append(
            {
                "organisasjon": s.organisasjon.navn,
                "hoering": s.hoering.tittel,
                "when": format_deadline(s.innsendt) if s.innsendt else "",
                "version": s.versjon_nr,
                "url": s.get_absolute_url() if readable[s.hoering_id] else "",
            }
        )
    return {"since": since, "rows": rows, "count": len(rows)}


def summary_context(programme, **options) -> dict | None:
    hoering = latest_hearing(programme)
    if hoering is None:
        return None
    summary = hearing_summary(hoering)
    return {"hoering": hoering, "programme": programme, "s": summary}


def summary_fingerprint(programme) -> str:
    """Changes when an answer is submitted, or an input or its assessment changes: the raw
    columns of the latest hearing's submitted answers and their inputs (five queries)."""
    hoering = latest_hearing(programme)
    if hoering is None:
        return "none"
    answers = Hoeringssvar.objects.filter(hoering=hoering, status=SvarStatus.INNSENDT)
    assessed = ("vurdering", "vurdering_begrunnelse", "resultat_tiltak_id")
    data = [
        hoering.pk,
        hoering.versjon,
        hoering.tittel,
        str(hoering.frist),
        list(
            answers.order_by("id").values_list(
                "id",
                "versjon",
                "versjon_nr",
                "organisasjon__navn",
                "generelle_merknader",
                "saksnummer",
                "signatar",
                "innsendt",
                *assessed,
            )
        ),
        list(
            Standpunkt.objects.filter(svar__in=answers)
            .order_by("id")
            .values_list("id", "svar_id", "tiltak_id", "standpunkt", "tekst", *assessed)
        ),
        list(
            Aktoerforslag.objects.filter(svar__in=answers)
            .order_by("id")
            .values_list("id", "svar_id", "tiltak_id", "navn", "rolle", "begrunnelse", *assessed)
        ),
        list(
            Tiltaksforslag.objects.filter(svar__in=answers)
            .order_by("id")
            .values_list("id", "svar_id", "tema_id", "tittel", "hva", *assessed)
        ),
    ]
    text = json.dumps(data, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _items_table(document, items, *, show_org: bool) -> None:
    labels = [_("Input"), *([_("From")] if show_org else []), _("Text"), _("Assessment")]
    table = document.add_table(rows=1 + len(items), cols=len(labels))
    table.style = "Table Grid"
    for cell, label in zip(table.rows[0].cells, labels, strict=True):
        cell.text = str(label)
        cell.paragraphs[0].runs[0].bold = True
    for row, i in zip(table.rows[1:], items, strict=True):
        assessment = str(i.vurdering_display)
        if i.obj.vurdering_begrunnelse:
            assessment += "\n" + i.obj.vurdering_begrunnelse
        if i.obj.resultat_tiltak:
            assessment += "\n" + _("Led to measure %(nr)s") % {
                "nr": i.obj.resultat_tiltak.nummer_visning
            }
        values = [
            f"{i.label}\n{i.title}" if i.title else str(i.label),
            *([i.organisasjon.navn] if show_org else []),
            i.text,
            assessment,
        ]
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value or ""


def summary_docx(document, context: dict) -> None:
    """The summary in the Word file: the counts, by theme, by organisation."""
    s, hoering = context["s"], context["hoering"]
    document.add_paragraph(
        f"{hoering.tittel} – "
        + _("Deadline %(deadline)s") % {"deadline": format_deadline(hoering.frist)}
    )
    document.add_paragraph(
        _("%(answers)s submitted answers with %(n)s inputs, %(assessed)s assessed.")
        % {
            "answers": s.counts["answers"],
            "n": s.counts["inputs"],
            "assessed": s.counts["assessed"],
        }
    )
    document.add_heading(_("By theme"), level=2)
    if not s.by_tema:
        document.add_paragraph(_("No submitted answers yet."))
    for g in s.by_tema:
        document.add_heading(g.heading, level=3)
        _items_table(document, g.items, show_org=True)
    document.add_heading(_("By organisation"), level=2)
    for g in s.by_organisation:
        document.add_heading(g.heading, level=3)
        meta = _("submitted %(when)s") % {"when": format_deadline(g.svar.innsendt)}
        if g.svar.saksnummer:
            meta = f"{g.svar.saksnummer} – {meta}"
        if g.svar.signatar:
            meta = f"{meta} – {g.svar.signatar}"
        document.add_paragraph(meta)
        if g.items:
            _items_table(document, g.items, show_org=False)
        else:
            document.add_paragraph(_("No comments."))


def register() -> None:
    register_section(
        Section(
            slot="dashboard",
            name=TILE,
            title=gettext_lazy("Hearing"),
            context=tile_context,
            template="hoering/dashboard/tile.html",
            order=20,
        )
    )
    register_section(
        Section(
            slot="dashboard_since",
            name=SINCE,
            title=gettext_lazy("Hearing answers"),
            context=since_context,
            template="hoering/dashboard/since.html",
            order=20,
        )
    )
    register_section(
        Section(
            slot="saksframlegg",
            name=SUMMARY,
            title=gettext_lazy("Hearing summary"),
            context=summary_context,
            template="hoering/dashboard/print/summary.html",
            print_template="hoering/dashboard/print/summary.html",
            docx=summary_docx,
            fingerprint=summary_fingerprint,
            order=30,
        )
    )
