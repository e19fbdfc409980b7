"""URLs for this capability; included by tiltak/urls.py inside the "tiltak" namespace."""

urlpatterns: list = []
