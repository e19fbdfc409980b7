"""Login, logout, password reset and invitations; included at /konto/ by partnerskap/urls.py."""

urlpatterns: list = []
