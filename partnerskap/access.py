"""The one way an HTML view is guarded, built on `login_required` and django-rules.

The behaviour, the same on every page of every app:

- a resource the user may not see is a 404, for everyone, anonymous visitors included (whether a
  draft exists is not revealed by a login redirect);
- a resource the user may see but not change is a login redirect for an anonymous visitor and a
  403 page for a logged-in user;
- a page that is only for logged-in users (your account, user administration) sends anonymous
  visitors to the login page.

Use::

    @guarded
    @require_POST
    def tema_delete(request, pk):
        tema = visible_or_404(Tema.objects.filter(program__in=visible), pk=pk)
        require(request, "tiltak.edit_structure", tema)
        ...

`require()` raises; `@guarded` turns the "log in first" case into the redirect that
`login_required` would give. Permissions are django-rules names (`user.has_perm`).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

M = TypeVar("M", bound=Model)


class LoginRequired(Exception):
    """Raised by `require` for an anonymous visitor; `@guarded` answers with the login page."""


def require(request, perm: str, obj: object = None) -> None:
    """Return if the user has `perm` (on `obj`); otherwise LoginRequired for an anonymous
    visitor, PermissionDenied (403) for a logged-in user."""
    if request.user.has_perm(perm, obj):
        return
    if not request.user.is_authenticated:
        raise LoginRequired(perm)
    raise PermissionDenied(perm)


def visible_or_404(queryset: QuerySet[M], message: str = "", **lookup) -> M:
    """The one object of `queryset` (already narrowed to what the user may see) matching
    `lookup`, or 404 — for anonymous visitors too."""
    try:
        return queryset.get(**lookup)
    # ObjectDoesNotExist: the base of every model's DoesNotExist (`queryset.model` is generic).
    except (ObjectDoesNotExist, ValueError, TypeError) as exc:
        raise Http404(message or _("Not found.")) from exc


def _to_login(request):
    """The login page with a `next` back to this one, and the message that says why. Only a
    page that required a login says so; the header's «Log in» link carries a `next` too."""
    messages.info(request, _("Log in to see this page."))
    return redirect_to_login(request.get_full_path())


def guarded(view: Callable) -> Callable:
    """Decorate every HTML view that calls `require`: LoginRequired → the login page with a
    `next` back to this one."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except LoginRequired:
            return _to_login(request)

    return wrapper


def login_guarded(view: Callable) -> Callable:
    """For pages that exist only for logged-in users (login_required, saying why), then
    `guarded`."""
    inner = guarded(view)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return _to_login(request)
        return inner(request, *args, **kwargs)

    return wrapper
