from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme

from .access import LoginRequired
from .errors import Conflict, ServiceError
from .handlers import DATABASE_ERRORS, database_unavailable


class NorwegianFirstLocaleMiddleware:
    """Bokmål unless the user has chosen another language with the language switch.

    Django's LocaleMiddleware would follow the browser's Accept-Language, which shows English
    to most Norwegian users on English-language operating systems. The portal is Norwegian first.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch = response.get("Vary", "")
        if "Cookie" not in patch:
            response["Vary"] = f"{patch}, Cookie" if patch else "Cookie"
        return response


class ServiceErrorMiddleware:
    """The one mapping of the service error contract (partnerskap/errors.py) for HTML views,
    as partnerskap.api.api_exception_handler is for the API. A view that shows a refusal in
    its own form catches the error itself; one that does not gets this page instead of a 500:
    Conflict → 409, ServiceError and ValidationError → 400, with the message and a way back.
    Under HTMX the page is asked to reload, so the refusal is not lost in a partial swap. Also
    turns partnerskap.access.LoginRequired into the login page, as `@guarded` does, and a
    database that does not answer into 503 with Retry-After (pages and API alike)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_ERRORS):
            return database_unavailable(request)
        if request.path.startswith("/api/"):
            return None  # DRF answers with JSON (partnerskap.api.api_exception_handler)
        if isinstance(exception, LoginRequired):
            return redirect_to_login(request.get_full_path())
        if isinstance(exception, ServiceError):
            messages_, status = [str(exception)], 409 if isinstance(exception, Conflict) else 400
        elif isinstance(exception, ValidationError):
            messages_, status = exception.messages, 400
        else:
            return None
        response = render(
            request,
            "service_error.html",
            {"errors": messages_, "back": _safe_referer(request)},
            status=status,
        )
        if getattr(request, "htmx", False):
            response["HX-Refresh"] = "true"
        return response


def _safe_referer(request) -> str:
    referer = request.META.get("HTTP_REFERER", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return referer
    return ""
