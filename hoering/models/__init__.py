"""Hearings (høring) and, later, workshops (verksted). One module per area; every model is
imported here so that Django finds it."""

from .hoering import (  # noqa: F401 (imported so Django finds them)
    Aktoerforslag,
    Fristutsettelse,
    Hoering,
    Hoeringssvar,
    Invitasjon,
    Paaminnelse,
    Standpunkt,
    StandpunktValg,
    SvarStatus,
    Tiltaksforslag,
    Vurdering,
)
from .verksted import (  # noqa: F401, E402 (imported so Django finds them)
    Innspill,
    Innspillgruppe,
    Spoersmaal,
    Verksted,
    VerkstedDag,
    Verkstedforslag,
)
