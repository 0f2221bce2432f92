from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.utils.translation import gettext_lazy as _

from . import services


class PreferencesForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"), required=False, max_length=254)
    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        choices=[("", _("As chosen in the header"))],
        help_text=_("Pages and e-mails."),
    )
    time_zone = forms.CharField(
        label=_("Time zone"),
        required=False,
        max_length=64,
        help_text=_(
            "A name such as Asia/Jakarta or Europe/London (or WIB, WITA, WIT); empty: the time zone of your office's place."
        ),
        widget=forms.TextInput(attrs={"list": "time-zones", "autocomplete": "off"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [("", _("As chosen in the header")), *settings.LANGUAGES]

    def clean_time_zone(self):
        try:
            return services.check_time_zone(self.cleaned_data["time_zone"])
        except forms.ValidationError as error:
            raise forms.ValidationError(error.message_dict["time_zone"]) from error


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}),
    )


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=100, help_text=_("What will use it, e.g. “monthly report script”.")
    )


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's reset form; its mail goes through the mail queue, in the recipient's language."""

    def send_mail(
        self, subject_template_name, email_template_name, context, from_email, to_email, html_email_template_name=None
    ):
        services.password_reset_mail(context["user"], subject_template_name, email_template_name, context)
