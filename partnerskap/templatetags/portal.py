"""Template tags every app uses: {% breadcrumbs %}."""

from django import template

register = template.Library()


@register.inclusion_tag("components/breadcrumbs.html")
def breadcrumbs(*links, current=""):
    """{% breadcrumbs label1 url1 label2 url2 current=title %}: links as label/url pairs."""
    if len(links) % 2:
        raise template.TemplateSyntaxError("breadcrumbs takes label/url pairs")
    return {"items": list(zip(links[0::2], links[1::2], strict=True)), "current": current}
