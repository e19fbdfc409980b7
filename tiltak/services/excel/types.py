"""What the Excel import reads and answers with: the rows of the file, the preview, the result
of an apply, and its errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

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
    # The tiltak's version when the file was exported (the column Versjon); None when empty.
    versjon: int | None = None
    # The ID is of a tiltak deleted in the portal: "soft" (kept as deleted, restorable) or
    # "hard" (removed, known only from its history).
    gone: str = ""
    # Left as it is in the portal (a conflict decided for the portal's values).
    skip: bool = False

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
    # The tiltak was deleted in the portal and the file's values bring it back.
    restored: bool = False
    conflict: Conflict | None = None

    @property
    def row(self) -> int:
        return self.data.row


# What the planner chooses for a row changed in the portal since the export.
KEEP_PORTAL = "portal"  # skip the row: the portal's newer values (or its deletion) stay
USE_FILE = "file"  # the file's values overwrite them
CHOICES = (KEEP_PORTAL, USE_FILE)


class ConflictKind:
    CHANGED = "changed"  # the row predates a change made in the portal to its tiltak
    DELETED = "deleted"  # the row's tiltak was deleted in the portal
    ADDED = "added"  # not in the file: added in the portal after the export
    CHANGED_NOT_IN_FILE = "changed_not_in_file"  # not in the file, changed after the export


@dataclass(frozen=True)
class ConflictColumn:
    """One column where the file and the portal differ, for a conflicting row."""

    column: str
    exported: str | None  # the value when the file was exported; None: not known
    portal: str
    file: str
    # Changed in the portal since the export (True also when that cannot be told).
    changed_in_portal: bool


@dataclass
class Conflict:
    """A row of the file that is older than what the portal holds, or a tiltak the file would
    remove that was added or changed after the export. Nothing of it is written until the
    planner chooses (`choice`, KEEP_PORTAL or USE_FILE)."""

    kind: str
    tiltak_id: int
    label: str  # "3.11 Title" as the portal shows it now (or did before the deletion)
    row: int | None  # the row in the file; None for a tiltak not in the file
    tiltak: Tiltak | None = None  # as it is now; None when deleted for good
    file_versjon: int | None = None
    portal_versjon: int | None = None
    columns: list[ConflictColumn] = field(default_factory=list)
    # Who made the latest change in the portal, and when; the reason of a deletion.
    user: Any = None
    date: datetime | None = None
    reason: str = ""
    choice: str = ""

    @property
    def restorable(self) -> bool:
        """A deleted tiltak kept as deleted: the file's values can restore it."""
        return self.kind == ConflictKind.DELETED and self.tiltak is not None

    @property
    def in_file(self) -> bool:
        return self.row is not None

    @property
    def user_name(self) -> str:
        if self.user is None:
            return ""
        return self.user.get_full_name() or self.user.email

    @property
    def user_organisation(self) -> str:
        org = getattr(self.user, "organisasjon", None)
        return org.navn if org else ""

    @property
    def issue(self) -> ImportIssue:
        """The message when no choice was made for it."""
        if self.kind in (ConflictKind.ADDED, ConflictKind.CHANGED_NOT_IN_FILE):
            message = _(
                "Measure %(label)s was added or changed in the portal after the file was "
                "exported, and is not in the file. Choose the portal's version (it is kept) or "
                "the file's (it is removed)."
            )
        elif self.kind == ConflictKind.DELETED:
            message = _(
                "Measure %(label)s was deleted in the portal after the file was exported. "
                "Choose the portal's version (it stays deleted) or the file's (it is restored, "
                "or added anew)."
            )
        else:
            message = _(
                "Measure %(label)s was changed in the portal after the file was exported, and "
                "the file would undo that. Choose the portal's version or the file's."
            )
        return ImportIssue(message % {"label": self.label}, row=self.row)


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
    # Rows and tiltak that are older in the file than in the portal (see Conflict).
    conflicts: list[Conflict] = field(default_factory=list)
    # Conflicts decided for the portal: rows skipped, tiltak not removed.
    kept_from_portal: int = 0
    # The file records the versions of its rows (the column Versjon), and when it was exported.
    versions_known: bool = False
    exported_at: datetime | None = None

    @property
    def ok(self) -> bool:
        return not self.error_count

    @property
    def plain_changed(self) -> list[ChangedRow]:
        """Changed rows that are not conflicts (those are shown with their choice)."""
        return [c for c in self.changed if c.conflict is None]

    @property
    def plain_removed(self) -> list[Tiltak]:
        """Removed tiltak that are not conflicts."""
        ids = {c.tiltak_id for c in self.conflicts if c.row is None}
        return [t for t in self.removed if t.pk not in ids]

    @property
    def undecided(self) -> list[Conflict]:
        """Conflicts without a choice: the apply refuses until each has one."""
        return [c for c in self.conflicts if not c.choice]

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
    restored: int = 0
    kept_from_portal: int = 0
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
    """Stops reading the file: it is not something we can read row by row. The first argument
    (if any) is the preview's error for the user; a second one says what failed, for the log."""
