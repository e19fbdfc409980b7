from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from .models import Organisasjon, OrganisasjonType


def _unique_slug(navn: str) -> str:
    base = slugify(navn.replace("æ", "ae").replace("ø", "o").replace("å", "a"))[:90] or "org"
    slug, n = base, 2
    while Organisasjon.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def organisasjon_create(
    *, actor, navn: str, forkortelse: str = "", type: str = OrganisasjonType.ANNET
) -> Organisasjon:
    """Create a registry entry (e.g. from the organisation picker). Raises PermissionDenied
    unless the actor has partnerskap.create_organisasjon, and ValidationError when the name is
    taken (case-insensitively), the abbreviation is taken or the type is unknown."""
    if actor is None or not actor.has_perm("partnerskap.create_organisasjon"):
        raise PermissionDenied("partnerskap.create_organisasjon")
    navn = " ".join(navn.split())
    if Organisasjon.objects.filter(navn__iexact=navn).exists():
        raise ValidationError({"navn": _("An organisation with this name already exists.")})
    org = Organisasjon(
        navn=navn, forkortelse=forkortelse.strip(), type=type, slug=_unique_slug(navn)
    )
    org.full_clean()
    org.save()
    return org
