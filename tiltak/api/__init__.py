"""The programme app's API: views.py (reads), write.py (writes through the services),
routes.py (what it adds to the project router)."""
