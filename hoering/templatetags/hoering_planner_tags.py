"""Filters of the planner's hearing pages: deadlines as «23. oktober 2018 kl. 23.59», the time
left, and the link to one input."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..deadlines import format_deadline

register = template.Library()


@register.filter
def deadline(value) -> str:
    return format_deadline(value) if value else ""


@register.filter
def deadline_passed(hoering) -> bool:
    return hoering.frist_passert()


@register.filter
def time_left(value) -> str:
    """«3 days and 4 hours left», «40 minutes left»; '' once passed."""
    if not value:
        return ""
    seconds = int((value - timezone.now()).total_seconds())
    if seconds <= 0:
        return ""
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        d = ngettext("%(n)d day", "%(n)d days", days) % {"n": days}
        h = ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours}
        return _("%(days)s and %(hours)s left") % {"days": d, "hours": h}
    if hours:
        h = ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours}
        m = ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}
        return _("%(hours)s and %(minutes)s left") % {"hours": h, "minutes": m}
    return _("%(minutes)s left") % {
        "minutes": ngettext("%(n)d minute", "%(n)d minutes", max(minutes, 1))
        % {"n": max(minutes, 1)}
    }


@register.filter
def innspill_url(item) -> str:
    """The page of one input (an oppsummering.Input)."""
    return reverse(
        "hoering:innspill_detail",
        kwargs={"pk": item.svar.hoering_id, "kind": item.kind, "ipk": item.obj.pk},
    )


@register.filter
def input_kind(inputs, kind: str) -> list:
    """The inputs (oppsummering.Inputs) of one kind."""
    return inputs.of_kind(kind)
