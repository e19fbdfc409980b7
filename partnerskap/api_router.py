"""The project's one API router. Each app adds its routes from `AppConfig.ready()`, so a new app
(hoering, rapportering) never edits another app's URL files::

    def ready(self):
        from partnerskap.api_router import register_routes
        register_routes("hoering.api.routes.register")

The registrar is named by its dotted path and imported only when the URLs are first built:
`ready()` runs before Django REST framework may read its settings.
"""

from __future__ import annotations

from django.utils.module_loading import import_string

_registrars: list[str] = []
_router = None


def register_routes(dotted_path: str) -> None:
    """Add the function at `dotted_path`, `register(router)`, to be called once with the
    project's router (a rest_framework SimpleRouter)."""
    if dotted_path not in _registrars:
        _registrars.append(dotted_path)


def api_routes() -> list:
    """The router's URL patterns, after every app's registrar has run (once)."""
    global _router
    if _router is None:
        from rest_framework.routers import SimpleRouter

        router = SimpleRouter()
        for dotted_path in _registrars:
            import_string(dotted_path)(router)
        _router = router
    return _router.urls
