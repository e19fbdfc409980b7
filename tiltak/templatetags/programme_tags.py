"""Template tags of the programme app: the breadcrumbs of its pages and the extension panels
other apps add to them (tiltak/extensions.py)."""

from django import template
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from tiltak import extensions

register = template.Library()


@register.inclusion_tag("components/breadcrumbs.html")
def programme_breadcrumbs(programme=None, *links, tema=None, tiltak=None, edit=False, current=""):
    """Action programmes › programme [› Edit programme] [› tema n] [› Measure n] › links… ›
    current."""
    items = [(_("Action programmes"), reverse("tiltak:programme_list"))]
    if tiltak is not None and programme is None:
        programme = tiltak.program
    if programme is not None:
        items.append((f"{programme.navn} {programme.periode}", programme.get_absolute_url()))
    if edit:
        items.append((_("Edit programme"), reverse("tiltak:programme_edit", args=[programme.pk])))
    if tema is not None:
        label = f"{programme.get_nivaa_betegnelse_display()} {tema.nummer}"
        items.append((label, f"{programme.get_absolute_url()}#tema-{tema.nummer}"))
    if tiltak is not None:
        label = f"{_('Measure')} {tiltak.nummer_visning or _('without number')}"
        items.append((label, "" if tiltak.slettet else tiltak.get_absolute_url()))
    if len(links) % 2:
        raise template.TemplateSyntaxError("programme_breadcrumbs takes label/url pairs")
    items += list(zip(links[0::2], links[1::2], strict=True))
    return {"items": items, "current": current}


@register.simple_tag(takes_context=True)
def extension_panels(context, slot: str, obj):
    """The panels other apps registered for `slot` (tiltak/extensions.py), rendered in order."""
    request = context.get("request")
    parts = []
    for panel in extensions.panels(slot):
        panel_context = panel.context(request, obj)
        if panel_context is None:
            continue
        parts.append(render_to_string(panel.template, panel_context, request=request))
    return format_html_join("", "{}", ((mark_safe(p),) for p in parts))  # noqa: S308
