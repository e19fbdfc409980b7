"""Case papers (saksframlegg) for the county committee, put together by a planner from parts:
the texts typed here, and the parts other code provides as sections (tiltak/extensions.py:
the programme table, the hearing summary, the annual report)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from tiltak.models import (
    TEXT_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    Handlingsprogram,
    name_field,
    text_field,
)

CASE_NUMBER_MAX_LENGTH = 50
MAX_PARTS = 20


class Dokumentspraak(models.TextChoices):
    BOKMAAL = "nb", _("Bokmål")
    NYNORSK = "nn", _("Nynorsk")


class Saksframlegg(models.Model):
    program = models.ForeignKey(
        Handlingsprogram,
        verbose_name=_("programme"),
        on_delete=models.CASCADE,
        related_name="saksframlegg",
    )
    saksnummer = name_field(
        _("case number"), max_length=CASE_NUMBER_MAX_LENGTH, help_text=_("For example 18/01234.")
    )
    tittel = name_field(_("title"), max_length=TITLE_MAX_LENGTH)
    utvalg = name_field(_("committee"), default="Fylkesutvalget")
    moetedato = models.DateField(_("meeting date"))
    saksopplysninger = text_field(
        _("background (saksopplysninger)"),
        TEXT_MAX_LENGTH,
        blank=True,
        help_text=_(
            "Paragraphs separated by a blank line; lists with “- ” at the start of a line; "
            "*italic* and **bold**. No HTML."
        ),
    )
    vurdering = text_field(_("assessment (vurdering)"), TEXT_MAX_LENGTH, blank=True)
    forslag_til_vedtak = text_field(_("proposed decision"), TEXT_MAX_LENGTH, blank=True)
    deler = models.JSONField(
        _("parts included"),
        default=list,
        blank=True,
        help_text=_("The names of the parts (sections) the document includes, in order."),
    )
    spraak = models.CharField(
        _("document language"),
        max_length=2,
        choices=Dokumentspraak.choices,
        default=Dokumentspraak.BOKMAAL,
    )
    versjon = models.PositiveIntegerField(
        _("version"), default=1, help_text=_("Raised on every save; refuses silent overwrites.")
    )
    opprettet = models.DateTimeField(_("created"), auto_now_add=True)
    endret = models.DateTimeField(_("changed"), auto_now=True)
    endret_av = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("case paper")
        verbose_name_plural = _("case papers")
        ordering = ["-moetedato", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(spraak__in=Dokumentspraak.values),
                name="saksframlegg_valid_spraak",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.saksnummer} {self.tittel}"

    def get_absolute_url(self) -> str:
        return reverse("dashboard:saksframlegg_detail", kwargs={"pk": self.pk})

    def clean(self):
        deler = self.deler
        if not isinstance(deler, list) or not all(isinstance(d, str) for d in deler):
            raise ValidationError({"deler": _("Parts: a list of part names.")})
        if len(deler) > MAX_PARTS or len(set(deler)) != len(deler):
            raise ValidationError({"deler": _("Parts: each part at most once.")})
