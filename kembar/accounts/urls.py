from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    # Forgotten password: a link by e-mail (Django's views; the mail goes through the queue).
    path("password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("password/reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("password/reset/<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path("password/reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    # One's own account: preferences, e-mail, second factor, sessions, API tokens.
    path("", views.account, name="account"),
    path("preferences/", views.preferences, name="account_preferences"),
    path("email/verify/", views.send_verification, name="send_verification"),
    path("email/verify/<str:token>/", views.verify_email, name="verify_email"),
    path("two-factor/set-up/", views.second_factor_setup, name="second_factor_setup"),
    path("two-factor/verify/", views.second_factor_verify, name="second_factor_verify"),
    path("two-factor/recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path("two-factor/off/", views.second_factor_off, name="second_factor_off"),
    path("sessions/<int:session_id>/sign-out/", views.sign_out_session, name="sign_out_session"),
    path("sessions/sign-out-others/", views.sign_out_other_sessions, name="sign_out_other_sessions"),
    path("tokens/", views.create_token, name="create_token"),
    path("tokens/<int:token_id>/revoke/", views.revoke_token, name="revoke_token"),
]
