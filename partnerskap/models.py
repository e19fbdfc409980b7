import rules
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .validators import refuse_control_characters


class Region(models.Model):
    navn = models.CharField(_("name"), max_length=100, unique=True)
    fylke = models.CharField(_("county"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["fylke", "navn"]

    def __str__(self) -> str:
        return self.navn

    def clean(self):
        refuse_control_characters(self, "navn", "fylke")


class OrganisasjonType(models.TextChoices):
    FYLKESKOMMUNE = "fylkeskommune", _("County council")
    KOMMUNE = "kommune", _("Municipality")
    REGIONRAAD = "regionraad", _("Regional council")
    STATLIG = "statlig", _("State agency")
    UTDANNING_FORSKNING = "utdanning_forskning", _("Education and research")
    NAERINGSLIV = "naeringsliv", _("Business")
    NAERINGSFORENING_HAGE = "naeringsforening_hage", _("Business association or business garden")
    ARBEIDSLIVETS_PARTER = "arbeidslivets_parter", _("Social partners")
    FRIVILLIG = "frivillig", _("Voluntary sector")
    ANNET = "annet", _("Other")


class Organisasjon(models.Model):
    """An actor in the partnership registry. A group ("kommunene") is an entry of its own."""

    navn = models.CharField(_("name"), max_length=255, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    forkortelse = models.CharField(_("abbreviation"), max_length=30, blank=True)
    type = models.CharField(
        _("type"), max_length=30, choices=OrganisasjonType.choices, default=OrganisasjonType.ANNET
    )
    er_gruppe = models.BooleanField(
        _("is a group"),
        default=False,
        help_text=_("A group of actors named together, such as “kommunene” or “næringslivet”."),
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="organisasjoner",
    )
    nettside = models.URLField(_("website"), blank=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["navn"]
        constraints = [
            models.UniqueConstraint(
                Lower("forkortelse"),
                condition=~Q(forkortelse=""),
                name="organisasjon_unique_forkortelse",
            ),
            models.CheckConstraint(
                condition=Q(type__in=OrganisasjonType.values), name="organisasjon_valid_type"
            ),
        ]

    def __str__(self) -> str:
        if self.forkortelse and self.forkortelse.lower() != self.navn.lower():
            return f"{self.navn} ({self.forkortelse})"
        return self.navn

    def get_absolute_url(self) -> str:
        return reverse("tiltak:organisasjon_detail", kwargs={"slug": self.slug})

    def clean(self):
        # Names are typed in the organisation picker and in imported files, and exported to
        # Excel. (In clean(), not as field validators: the fields' migration state stays.)
        refuse_control_characters(self, "navn", "forkortelse")


class OrganisasjonAlias(models.Model):
    """Another way the organisation is written in source documents ("Bfk", "Regionrådet i Hallingdal")."""

    organisasjon = models.ForeignKey(
        Organisasjon,
        on_delete=models.CASCADE,
        related_name="aliaser",
        verbose_name=_("organisation"),
    )
    navn = models.CharField(_("name as written"), max_length=255)

    class Meta:
        verbose_name = _("alternative name")
        verbose_name_plural = _("alternative names")
        ordering = ["navn"]
        constraints = [
            models.UniqueConstraint(Lower("navn"), name="organisasjonalias_unique_navn"),
        ]

    def __str__(self) -> str:
        return self.navn

    def clean(self):
        refuse_control_characters(self, "navn")


class Gruppemedlemskap(models.Model):
    """One organisation's membership of a group ("Regionrådene" ∋ Regionrådet for Hallingdal).

    A responsibility given to a group reaches its members. Groups may be members of groups
    («Kommunene» ∋ «Kommunene i Hallingdal» ∋ Gol kommune); `clean()` refuses a membership that
    would close a cycle, and the reads (partnerskap.selectors.organisasjon_grupper) walk the
    memberships with a visited set, so a cycle written past `clean()` cannot make them loop."""

    gruppe = models.ForeignKey(
        Organisasjon,
        verbose_name=_("group"),
        on_delete=models.CASCADE,
        related_name="medlemmer",
        limit_choices_to={"er_gruppe": True},
    )
    medlem = models.ForeignKey(
        Organisasjon,
        verbose_name=_("member"),
        on_delete=models.CASCADE,
        related_name="grupper",
    )

    class Meta:
        verbose_name = _("group membership")
        verbose_name_plural = _("group memberships")
        ordering = ["gruppe_id", "medlem_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["gruppe", "medlem"], name="gruppemedlemskap_unique_member"
            ),
            models.CheckConstraint(
                condition=~Q(gruppe=F("medlem")), name="gruppemedlemskap_not_own_member"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.gruppe.navn} ∋ {self.medlem.navn}"

    def clean(self) -> None:
        # The group may be an organisation not saved yet (the admin's add form with this
        # inline), so it is read from the relation, not by id.
        try:
            gruppe = self.gruppe
        except Organisasjon.DoesNotExist:
            gruppe = None
        errors: dict[str, str] = {}
        if gruppe is not None and not gruppe.er_gruppe:
            errors["gruppe"] = _(
                "%(navn)s is not marked as a group; only a group can have members."
            ) % {"navn": gruppe.navn}
        if self.gruppe_id is not None and self.gruppe_id == self.medlem_id:
            errors["medlem"] = _("A group cannot be a member of itself.")
        elif (
            self.gruppe_id is not None
            and self.medlem_id is not None
            and self._member_contains_group()
        ):
            errors["medlem"] = _(
                "%(medlem)s already contains %(gruppe)s (directly or through its members), "
                "so it cannot also be its member."
            ) % {"medlem": self.medlem.navn, "gruppe": self.gruppe.navn}
        if errors:
            raise ValidationError(errors)

    def _member_contains_group(self) -> bool:
        """Whether the group is already reachable downwards from the new member: then the new
        membership would close a cycle. One query (every membership: the registry is small)."""
        children: dict[int, list[int]] = {}
        edges = Gruppemedlemskap.objects.exclude(pk=self.pk).values_list("gruppe_id", "medlem_id")
        for gruppe_id, medlem_id in edges:
            children.setdefault(gruppe_id, []).append(medlem_id)
        seen, stack = {self.medlem_id}, [self.medlem_id]
        while stack:
            for child in children.get(stack.pop(), []):
                if child == self.gruppe_id:
                    return True
                if child not in seen:
                    seen.add(child)
                    stack.append(child)
        return False


class BrukerRolle(models.TextChoices):
    ADMINISTRATOR = "administrator", _("Administrator")
    PLANLEGGER = "planlegger", _("Planner")
    MEDLEM = "medlem", _("Organisation member")
    STYREMEDLEM = "styremedlem", _("Board member")


class BrukerManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("rolle", BrukerRolle.ADMINISTRATOR)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, email):
        return self.get(email__iexact=email)


class Bruker(AbstractUser):
    """A person who logs in with email and password, acting for one organisation in one role."""

    username = None
    email = models.EmailField(_("email address"), unique=True)
    organisasjon = models.ForeignKey(
        Organisasjon,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="brukere",
    )
    rolle = models.CharField(
        _("role"), max_length=20, choices=BrukerRolle.choices, default=BrukerRolle.MEDLEM
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = BrukerManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="bruker_unique_email_ci"),
            models.CheckConstraint(
                condition=Q(rolle__in=BrukerRolle.values), name="bruker_valid_rolle"
            ),
        ]

    def has_perm(self, perm, obj=None) -> bool:
        """The portal's own permissions (django-rules, e.g. `tiltak.edit_structure`) are asked
        of the rules for every user: Django would grant a superuser everything before the rules
        are asked, and so let `createsuperuser`'s account edit an adopted programme. The rules
        treat a superuser as an administrator (partnerskap/rules.py), who is bound by the lock
        and the workflow like everyone. Django's model permissions (the admin's
        `tiltak.view_tiltak`, …) keep Django's meaning."""
        if rules.perm_exists(perm):
            return rules.has_perm(perm, self, obj)  # an inactive user has no role there
        return super().has_perm(perm, obj)

    def __str__(self) -> str:
        name = self.get_full_name()
        return f"{name} <{self.email}>" if name else self.email
