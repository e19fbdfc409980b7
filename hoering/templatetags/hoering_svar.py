"""Template filters of the organisation side: a deadline as «23. oktober 2018 kl. 23.59», and
the time left until it in words."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..deadlines import format_deadline
from ..receipt import submitted_at_display

register = template.Library()


@register.filter
def deadline(value: datetime | None) -> str:
    return format_deadline(value) if value else ""


@register.filter
def to_the_second(value: datetime | None) -> str:
    return submitted_at_display(value) if value else ""


@register.filter
def time_left(value: datetime | None) -> str:
    """«3 dager og 4 timer igjen», «40 minutter igjen»; '' once passed."""
    if value is None:
        return ""
    seconds = int((value - timezone.now()).total_seconds())
    if seconds < 0:
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
    if minutes:
        return ngettext("%(n)d minute left", "%(n)d minutes left", minutes) % {"n": minutes}
    return ngettext("%(n)d second left", "%(n)d seconds left", seconds) % {"n": seconds}


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def attr_of(obj, name: str):
    return getattr(obj, name, "")
