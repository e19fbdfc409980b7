"""/rapporter/: the annual report of a programme and year (rapportering/views/aarsrapport.py)."""

from django.urls import path

from .views import aarsrapport

app_name = "aarsrapport"

urlpatterns = [
    path("<int:pk>/<int:aar>/", aarsrapport.aarsrapport_page, name="page"),
    path("<int:pk>/<int:aar>/aarsrapport.pdf", aarsrapport.aarsrapport_pdf, name="pdf"),
    path("<int:pk>/<int:aar>/aarsrapport.xlsx", aarsrapport.aarsrapport_xlsx, name="xlsx"),
]
