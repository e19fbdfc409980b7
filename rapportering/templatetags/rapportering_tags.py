"""Template filters of the reporting pages."""

from decimal import Decimal

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def tall(value):
    """A figure as the reader's language writes it, without trailing zeros: «68,4», «1 234»."""
    if value is None or value == "":
        return ""
    if not isinstance(value, Decimal):
        value = Decimal(str(value))
    text = format(value.normalize(), "f")
    decimals = len(text.split(".")[1]) if "." in text else 0
    return number_format(value, decimal_pos=decimals, force_grouping=True)
