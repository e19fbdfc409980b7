"""The deadline that applies to one organisation, and the structure lock of a running hearing.

The hearing is closed because the clock says so: nothing scheduled has to run. A submission is in
time when `timezone.now() <= frist_for(...)`, 23:59:59 included, 00:00:00 the next day not.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from tiltak.models import ProgramStatus

from .models import Fristutsettelse, Hoering


def frist_for(hoering: Hoering, organisasjon_id: int | None) -> datetime:
    """The hearing's deadline, or the organisation's extension when it has one (never earlier
    than the hearing's own deadline)."""
    if organisasjon_id:
        utsettelse = (
            Fristutsettelse.objects.filter(hoering=hoering, organisasjon_id=organisasjon_id)
            .values_list("ny_frist", flat=True)
            .first()
        )
        if utsettelse and utsettelse > hoering.frist:
            return utsettelse
    return hoering.frist


def is_in_time(hoering: Hoering, organisasjon_id: int | None, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return hoering.aapnet is not None and hoering.aapner <= now <= frist_for(
        hoering, organisasjon_id
    )


def format_deadline(value: datetime) -> str:
    """«23. oktober 2018 kl. 23.59» in Europe/Oslo and the active language."""
    return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")


def running_hearing_lock(programme) -> str | None:
    """tiltak.extensions structure lock: while an opened hearing on the programme runs (until its
    deadline), the programme's structure is frozen — the partners answer on what they see."""
    if programme.status != ProgramStatus.PAA_HOERING:
        # Opening a hearing moves the programme to «på høring»; any other status cannot have a
        # running one, and asking costs no query (pages ask this once per row).
        return None
    # The opened hearings' windows, read once per programme object (a page asks several times);
    # the clock is compared on every call, so the lock lifts at the deadline to the second.
    cached = programme.__dict__.get("_hoering_windows")
    if cached is None or cached[0] != programme.status:
        windows = list(
            Hoering.objects.filter(program=programme, aapnet__isnull=False)
            .order_by("frist")
            .values_list("aapner", "frist")
        )
        cached = (programme.status, windows)
        programme.__dict__["_hoering_windows"] = cached
    now = timezone.now()
    for aapner, frist in cached[1]:
        if aapner <= now <= frist:
            return _(
                "The programme is on hearing until %(deadline)s. Its structure is frozen until "
                "the deadline."
            ) % {"deadline": format_deadline(frist)}
    return None
