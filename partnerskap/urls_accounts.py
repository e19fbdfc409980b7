"""Login, logout, password reset and invitations; included at /konto/ by partnerskap/urls.py.

The names have no namespace, so Django's own views and templates find "login",
"password_reset_confirm", "password_change_done" and the rest."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.profile, name="account_profile"),
    path("logg-inn/", views.LoginView.as_view(), name="login"),
    path("logg-ut/", views.LogoutView.as_view(), name="logout"),
    path("passord/glemt/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "passord/glemt/sendt/",
        views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "passord/ny/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "passord/ny/ferdig/",
        views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("passord/endre/", views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "passord/endre/ferdig/",
        views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path(
        "invitasjon/<uidb64>/<token>/",
        views.InvitationAcceptView.as_view(),
        name="account_invitation_accept",
    ),
    path("brukere/", views.user_list, name="account_user_list"),
    path("brukere/inviter/", views.user_invite, name="account_user_invite"),
    path("brukere/<int:pk>/", views.user_update, name="account_user_update"),
    path(
        "brukere/<int:pk>/inviter-igjen/",
        views.user_invitation_resend,
        name="account_user_invitation_resend",
    ),
]
