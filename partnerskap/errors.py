"""The error contract every service of every app follows, and its one mapping to HTTP.

A service raises, before anything is written (or rolled back with its transaction):

- `django.core.exceptions.PermissionDenied`: the actor may not do this at all;
- `django.core.exceptions.ValidationError`: a value is wrong; `message_dict` is keyed by field;
- `ServiceError`: the domain refuses; `str(exc)` is a translated sentence for the user;
- `Conflict` (a ServiceError): someone else saved first; `body()` says what they changed.

The API maps these in `api_exception_handler` (partnerskap/api.py) and HTML views in
`partnerskap.views_errors`; no view or viewset maps them itself.
"""

from __future__ import annotations

from typing import Any


class ServiceError(Exception):
    """A rule of the domain refused the change; the message is shown to the user as it is."""


class Conflict(ServiceError):
    """Someone else saved the object since the user loaded it. Subclasses say what changed."""

    def body(self) -> dict[str, Any]:
        return {"detail": str(self)}
