from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.http import HttpResponse, JsonResponse, QueryDict
from django.shortcuts import render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from .access import LoginRequired
from .errors import Conflict, ServiceError
from .handlers import DATABASE_ERRORS, database_unavailable, is_api

logger = logging.getLogger(__name__)


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
    turns partnerskap.access.LoginRequired into the login page, as `@guarded` does, a
    database that does not answer into 503 with Retry-After, and a write the database refused
    because a parallel one got there first (IntegrityError: a number or a name taken a moment
    ago) into 409 with a message (pages and API alike). The services take turns where they
    count numbers (tiltak.services.tiltak.lock_parent), so that last one is a safety net; it
    is still logged as an error, since it may as well be a bug."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_ERRORS):
            return database_unavailable(request)
        if isinstance(exception, IntegrityError):
            logger.error("A write was refused by the database: answered 409", exc_info=exception)
            message = _(
                "Someone else saved a change to the same thing at the same moment, so yours "
                "was not saved. Load the page again and try again."
            )
            if is_api(request):
                return JsonResponse({"detail": message}, status=409)
            return self._page(request, [message], 409)
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
        return self._page(request, messages_, status)

    def _page(self, request, messages_: list[str], status: int) -> HttpResponse:
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


# --- Input no field can hold ------------------------------------------------------------------

NUL = "\x00"
# Python's int() refuses longer digit strings (ValueError) unless the limit is raised.
MAX_INT_DIGITS = sys.get_int_max_str_digits() or 4300
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class BadInputMiddleware:
    """Refuses input that no part of the portal can use, before a view or the database sees
    it: a NUL character in the query string, a form, a JSON body or a header (PostgreSQL can
    neither store nor compare it; psycopg2 raises ValueError, which was a 500), and a whole
    number with more digits than Python reads (int() refuses over 4,300: ValueError). The
    answer is 400 with a message naming the parameter: a page for people, JSON for the API
    (`{name: [message]}`, as a field error) and for the pages' own JSON (`{"error": message}`).
    A cookie holding a NUL is dropped instead, so the visitor is treated as one without it
    rather than locked out. Other control characters are refused field by field, in the
    models, forms and serializers (partnerskap/validators.py).

    Placed before SessionMiddleware, so a bad session cookie never reaches the session store;
    the checks run in process_view, once the language is chosen and before CSRF reads the
    form."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for name in [n for n, v in request.COOKIES.items() if NUL in n or NUL in v]:
            del request.COOKIES[name]
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        problem = bad_input(request)
        if problem is None:
            return None
        name, message = problem
        if is_api(request):
            return JsonResponse({name: [message]}, status=400)
        if "application/json" in request.headers.get("Accept", ""):
            # The pages' own JSON (the organisation picker) answers errors as {"error": …}.
            return JsonResponse({"error": message}, status=400)
        return render(request, "400.html", {"errors": [message]}, status=400)


def bad_input(request) -> tuple[str, str] | None:
    """(name, message) for the first parameter of the request that no field can hold."""
    for key, value in request.META.items():
        if key.startswith("HTTP_") and key != "HTTP_COOKIE" and NUL in str(value):
            return _problem(key[5:].replace("_", "-").title(), NUL)
    problem = _in_pairs(request.GET.lists())
    if problem or request.method not in WRITE_METHODS:
        return problem
    content_type = request.content_type or ""
    if request.method == "POST" and content_type in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        return _in_pairs(request.POST.lists())
    if content_type == "application/x-www-form-urlencoded":  # PUT, PATCH: Django leaves it
        return _in_pairs(QueryDict(request.body, encoding=request.encoding).lists())
    if content_type == "application/json" or content_type.endswith("+json"):
        return _in_json(request.body)
    return None


def _in_pairs(pairs: Iterable[tuple[str, list[str]]]) -> tuple[str, str] | None:
    for name, values in pairs:
        for value in (name, *values):
            if NUL in value:
                return _problem(name, NUL)
            digits = value.strip().lstrip("+-").replace("_", "")
            if len(digits) > MAX_INT_DIGITS and digits.isdigit():
                return _problem(name, digits)
    return None


class _Digits(str):
    """A whole number in a JSON body, kept as its digits (json would call int() on them)."""


def _in_json(body: bytes) -> tuple[str, str] | None:
    try:
        data = json.loads(body, parse_int=_Digits)
    except (ValueError, RecursionError):
        return None  # not JSON: the parser's own 400 says so
    stack: list[tuple[str, object]] = [("", data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                name = f"{path}.{key}" if path else key
                if NUL in key:
                    return _problem(name, NUL)
                stack.append((name, item))
        elif isinstance(value, list):
            stack.extend((f"{path}[{i}]", item) for i, item in enumerate(value))
        elif isinstance(value, _Digits):
            if len(value.lstrip("-")) > MAX_INT_DIGITS:
                return _problem(path, value.lstrip("-"))
        elif isinstance(value, str) and NUL in value:
            return _problem(path, NUL)
    return None


def _problem(name: str, found: str) -> tuple[str, str]:
    shown = name.replace(NUL, "\\0")[:60]
    if found == NUL:
        message = _(
            "“%(name)s” contains a null character (NUL), which cannot be searched for or "
            "saved. Remove it and try again."
        )
        return shown, message % {"name": shown}
    message = _("“%(name)s” is a number with %(digits)s digits; at most %(max)s can be read.")
    return shown, message % {"name": shown, "digits": len(found), "max": MAX_INT_DIGITS}
