from django.core.exceptions import PermissionDenied
from django.db import models


def check_perm(actor, perm: str, obj=None) -> None:
    """Services enforce the same django-rules permissions as views and the API, so no caller
    can bypass them."""
    if actor is None or not actor.has_perm(perm, obj):
        raise PermissionDenied(perm)


def save_with_actor(instance: models.Model, *, actor, reason: str = "") -> models.Model:
    """full_clean() and save, with the acting user and reason on the history row."""
    instance.full_clean()
    instance._history_user = actor
    if reason:
        instance._change_reason = reason
    instance.save()
    return instance
