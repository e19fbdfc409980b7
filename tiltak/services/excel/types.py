"""What the Excel import reads and answers with: the rows of the file, the preview, the result
of an apply, and its errors."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from partnerskap.errors import ServiceError
from partnerskap.models import Organisasjon
from partnerskap.selectors import fold
from tiltak.models import Delmaal, Handlingsprogram, Rolle, Satsingsomraade, Tema, Tiltak


@dataclass(frozen=True)
class ImportIssue:
    """An error or warning, located as Excel shows it: row 5, column Nr (F)."""

    message: str
    row: int | None = None
    column: str | None = None
    letter: str | None = None

    @property
    def location(self) -> str:
        column = self.column or ""
        if self.letter:
            column = f"{column} ({self.letter})" if column else self.letter
        if self.row and column:
            return _("Row %(row)s, column %(column)s") % {"row": self.row, "column": column}
        if self.row:
            return _("Row %(row)s") % {"row": self.row}
        if column:
            return _("Column %(column)s") % {"column": column}
        return ""

    def __str__(self) -> str:
        return f"{self.location}: {self.message}" if self.location else self.message


@dataclass
class PartyName:
    tekst: str
    organisasjon: Organisasjon | None  # None: not in the registry

    @property
    def key(self) -> str:
        return fold(self.tekst)

    @property
    def display(self) -> str:
        return self.organisasjon.navn if self.organisasjon else self.tekst


@dataclass
class ImportRow:
    """One data row of the file, parsed and matched against the programme."""

    row: int
    tiltak_id: int | None = None
    tema: Tema | None = None
    delmaal: Delmaal | None = None
    satsingsomraade: Satsingsomraade | None = None
    nummer: int | None = None
    # Tiltak field -> text, for the columns present in the file.
    values: dict[str, str] = field(default_factory=dict)
    # Rolle -> parties, for the party columns present in the file.
    parties: dict[str, list[PartyName]] = field(default_factory=dict)
    columns: frozenset[str] = frozenset()
    ok: bool = True
    # A new row with an empty Nr gets the next free number in its tema (as in the browser).
    nummer_planned: bool = False
    # The tiltak this new row becomes, validated in the preview and saved by the apply.
    instance: Tiltak | None = None

    @property
    def tittel(self) -> str:
        return self.values.get("tittel", "")

    def party_display(self, rolle: str) -> str:
        return "; ".join(p.display for p in self.parties.get(rolle, []))

    @property
    def hovedansvar_display(self) -> str:
        return self.party_display(Rolle.HOVEDANSVAR)

    @property
    def samarbeidsparter_display(self) -> str:
        return self.party_display(Rolle.SAMARBEIDSPART)


@dataclass(frozen=True)
class CellChange:
    column: str
    old: str
    new: str


@dataclass
class ChangedRow:
    data: ImportRow
    tiltak: Tiltak
    changes: list[CellChange]
    placement_changed: bool = False
    fields: dict[str, str] = field(default_factory=dict)
    parties_changed: dict[str, list[PartyName]] = field(default_factory=dict)
    # A copy of the tiltak with the new values, validated in the preview (None when only
    # parties change).
    updated: Tiltak | None = None

    @property
    def row(self) -> int:
        return self.data.row


@dataclass
class UnknownOrganisation:
    navn: str  # as first written
    key: str
    rows: list[int] = field(default_factory=list)


@dataclass
class ImportPreview:
    programme: Handlingsprogram
    fingerprint: str = ""
    errors: list[ImportIssue] = field(default_factory=list)
    error_count: int = 0
    warnings: list[ImportIssue] = field(default_factory=list)
    new: list[ImportRow] = field(default_factory=list)
    changed: list[ChangedRow] = field(default_factory=list)
    removed: list[Tiltak] = field(default_factory=list)
    unchanged: int = 0
    unknown_organisations: list[UnknownOrganisation] = field(default_factory=list)
    rows_read: int = 0

    @property
    def ok(self) -> bool:
        return not self.error_count

    @property
    def has_changes(self) -> bool:
        return bool(self.new or self.changed or self.removed)

    @property
    def errors_not_shown(self) -> int:
        return self.error_count - len(self.errors)


@dataclass(frozen=True)
class OrgChoice:
    """What to do with an organisation name the registry does not know: use an existing
    organisation (`organisasjon_id`) or create one of type `create_type`."""

    organisasjon_id: int | None = None
    create_type: str = ""


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    kept_as_deleted: int = 0
    unchanged: int = 0
    organisations_created: list[str] = field(default_factory=list)


class ImportRefused(ServiceError):
    """The file cannot be imported; `issues` says where and why. Nothing was written."""

    def __init__(self, issues: list[ImportIssue], message: str | None = None):
        self.issues = issues
        super().__init__(message or _("The file cannot be imported. Nothing was changed."))


class ImportStale(ServiceError):
    """The programme changed after the preview was made. Nothing was written."""

    def __init__(self):
        super().__init__(
            _(
                "The programme was changed by someone else after the preview was made. Nothing "
                "was imported. Check the new preview and import again."
            )
        )


class Unreadable(Exception):
    """Stops reading the file: it is not something we can read row by row. The message (if any)
    is the preview's one error."""
