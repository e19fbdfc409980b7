"""What every app's API shares: pagination and the one mapping of service errors to HTTP
answers (settings REST_FRAMEWORK names both). The router is in partnerskap/api_router.py."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import status
from rest_framework.exceptions import NotAuthenticated
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from .errors import Conflict, ServiceError


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


def validation_body(exc: DjangoValidationError) -> dict:
    """A Django ValidationError as DRF shapes errors: messages by field name."""
    if hasattr(exc, "error_dict"):
        return {
            "non_field_errors" if name == "__all__" else name: messages
            for name, messages in exc.message_dict.items()
        }
    return {"non_field_errors": exc.messages}


def api_exception_handler(exc, context):
    """Settings' EXCEPTION_HANDLER: the service error contract (partnerskap/errors.py) as HTTP.
    Conflict → 409 with what changed; ValidationError and ServiceError → 400; PermissionDenied
    → 401 when not logged in (so a script knows to send its token), 403 otherwise."""
    # Imported here: rest_framework.views reads the settings, which name this module.
    from rest_framework.views import exception_handler

    if isinstance(exc, Conflict):
        return Response(exc.body(), status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        return Response(validation_body(exc), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, ServiceError):
        return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
    request = context.get("request")
    unauthenticated = request is not None and not request.user.is_authenticated
    if isinstance(exc, DjangoPermissionDenied) and unauthenticated:
        exc = NotAuthenticated()
    return exception_handler(exc, context)
