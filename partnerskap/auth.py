from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class EmailBackend(ModelBackend):
    """Email + password, with the address matched case-insensitively ("Kari@Hol.kommune.no")."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        email = kwargs.get("email", username)
        if email is None or password is None:
            return None
        model = get_user_model()
        try:
            user = model._default_manager.get(email__iexact=email.strip())
        except model.DoesNotExist:
            model().set_password(password)  # same time as a real check: no user enumeration
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def get_user(self, user_id):
        # The header shows the user's organisation on every page: load it with the user.
        model = get_user_model()
        try:
            user = model._default_manager.select_related("organisasjon").get(pk=user_id)
        except model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
