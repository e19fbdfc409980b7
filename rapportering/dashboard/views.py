"""The board's dashboard of a programme, and the list behind each of its colour counts. For the
board, administrators and the owning planner (rapportering.view_dashboard); a programme the user
may not see is a 404, one they may see but not this page a 403 (or the login page)."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from partnerskap.access import guarded
from tiltak.extensions import sections
from tiltak.models import Tema
from tiltak.views.lookups import programme_for

from . import selectors

PERM = "rapportering.view_dashboard"
DEFAULT_SINCE_DAYS = 90
EARLIEST = datetime.date(1900, 1, 1)


def _since(request) -> datetime.date:
    """The «since the last meeting» date: ?siden=YYYY-MM-DD, else 90 days ago. A date that
    cannot be read (or lies in the future) says so and uses the default."""
    default = timezone.localdate() - datetime.timedelta(days=DEFAULT_SINCE_DAYS)
    raw = request.GET.get("siden", "").strip()
    if not raw:
        return default
    try:
        value = datetime.date.fromisoformat(raw)
    except ValueError:
        value = None
    if value is None or value < EARLIEST or value > timezone.localdate():
        messages.error(
            request,
            _(
                "Since: “%(value)s” is not a date up to today (write it as 2018-10-23). Showing "
                "the last %(days)d days."
            )
            % {"value": raw[:20], "days": DEFAULT_SINCE_DAYS},
        )
        return default
    return value


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _render_sections(request, slot: str, programme, **options) -> list[dict]:
    rendered = []
    for section in sections(slot):
        context = section.context(programme, **options)
        if context is None:
            continue
        html = render_to_string(section.template, context, request=request)
        rendered.append({"name": section.name, "title": section.title, "html": mark_safe(html)})  # noqa: S308
    return rendered


@guarded
@require_GET
def dashboard(request, pk: int):
    programme = programme_for(request, pk, PERM)
    since = _since(request)
    options = {"since": _start_of(since), "user": request.user}
    return render(
        request,
        "rapportering/dashboard/dashboard.html",
        {
            "programme": programme,
            "since": since,
            "tiles": _render_sections(request, "dashboard", programme, **options),
            "since_blocks": _render_sections(request, "dashboard_since", programme, **options),
            "nav": "programmes",
        },
    )


@guarded
@require_GET
def dashboard_tiltak(request, pk: int):
    """The tiltak behind a colour count: ?farge=red|amber|green[&tema=<id>]."""
    programme = programme_for(request, pk, PERM)
    colour = request.GET.get("farge", "")
    if colour not in selectors.COLOURS:
        colour = selectors.RED
        if "farge" in request.GET:
            messages.error(request, _("Colour: choose red, amber or green."))
    tema = None
    if raw := request.GET.get("tema", "").strip():
        tema = Tema.objects.filter(
            program=programme, pk=int(raw) if raw.isdigit() and len(raw) < 18 else 0
        ).first()
        if tema is None:
            messages.error(request, _("Theme: the theme is not in this programme."))
    tiltak = selectors.tiltak_with_colour(programme=programme, colour=colour, tema=tema)
    return render(
        request,
        "rapportering/dashboard/tiltak_list.html",
        {
            "programme": programme,
            "tema": tema,
            "colour": colour,
            "colour_label": selectors.COLOUR_LABELS[colour],
            "tiltak": tiltak,
            "rule": selectors.COLOUR_RULE,
            "nav": "programmes",
        },
    )
