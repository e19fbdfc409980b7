"""URLconf for the API tests until partnerskap.urls mounts the API: the API under api/, and
the HTML pages so that the `url` fields (get_absolute_url) reverse."""

from django.urls import include, path

urlpatterns = [
    path("api/", include("tiltak.api_urls")),
    path("", include("tiltak.urls")),
]
