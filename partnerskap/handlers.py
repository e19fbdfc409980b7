"""Error answers for the whole site (partnerskap/urls.py names them): the portal's pages in
Norwegian for people, JSON for the API (never an HTML page to a script), and 503 with
Retry-After when the database does not answer."""

from __future__ import annotations

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _
from django.views import defaults

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30
DATABASE_ERRORS = (OperationalError, InterfaceError)


def is_api(request) -> bool:
    return request.path.startswith("/api/")


def database_unavailable(request) -> HttpResponse:
    """503 with Retry-After: the database is down or refusing connections."""
    if is_api(request):
        response: HttpResponse = JsonResponse(
            {"detail": _("The database is not available. Try again in a minute.")}, status=503
        )
    else:
        # No request context: rendering it would ask the database for the user.
        response = HttpResponse(loader.render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def not_found(request, exception=None):
    if is_api(request):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return defaults.page_not_found(request, exception)


def permission_denied(request, exception=None):
    if is_api(request):
        return JsonResponse({"detail": _("You do not have permission to do this.")}, status=403)
    return defaults.permission_denied(request, exception)


def bad_request(request, exception=None):
    if is_api(request):
        return JsonResponse({"detail": _("Bad request.")}, status=400)
    return defaults.bad_request(request, exception)


def server_error(request):
    exc = sys.exc_info()[1]
    if isinstance(exc, DATABASE_ERRORS):
        return database_unavailable(request)
    if is_api(request):
        return JsonResponse(
            {"detail": _("Something went wrong. The error has been logged.")}, status=500
        )
    return HttpResponse(loader.render_to_string("500.html"), status=500)
