from django import forms
from django.conf import settings
from django.contrib.auth.forms import BaseUserCreationForm
from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy as _

from kembar.accounts.models import Membership
from kembar.core import languages
from kembar.core.widgets import TimeInput

ROLE_HELP = _(
    "Viewers read the office's partnerships; editors change them; administrators also manage the "
    "office's members and invitations."
)


class InviteForm(forms.Form):
    """A colleague's invitation into the office."""

    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    role = forms.ChoiceField(
        label=_("Role"), choices=Membership.Role.choices, initial=Membership.Role.EDITOR, help_text=ROLE_HELP
    )
    language = forms.ChoiceField(
        label=_("Language of the e-mail"), choices=settings.LANGUAGES, help_text=_("The language the invitee reads.")
    )


class PartnerInviteForm(forms.Form):
    """The partner government's office into a shared partnership."""

    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        help_text=_("The partner's officer; they become the administrator of their office on the platform."),
    )
    language = forms.ChoiceField(
        label=_("Language of the e-mail"), choices=settings.LANGUAGES, help_text=_("The language the invitee reads.")
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)


class AccountForm(BaseUserCreationForm):
    """The invitee's new account: Django's own checks of the username and the password (the
    password validators of settings.AUTH_PASSWORD_VALIDATORS)."""

    class Meta:
        model = User
        fields = ("username", "first_name", "last_name")


class ProfileForm(forms.Form):
    """An office's profile: contact (kept on its government), working languages, office hours."""

    contact_email = forms.EmailField(label=_("Office e-mail"), required=False, max_length=254)
    contact_phone = forms.CharField(label=_("Office telephone"), required=False, max_length=50)
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https", max_length=200)
    address = forms.CharField(
        label=_("Office address"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )
    languages = forms.MultipleChoiceField(
        label=_("Working languages"),
        choices=languages.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The languages the office reads and writes in."),
    )
    hours_start = forms.TimeField(label=_("Office hours start"), widget=TimeInput)
    hours_end = forms.TimeField(label=_("Office hours end"), widget=TimeInput)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        if data.get("hours_start") and data.get("hours_end") and data["hours_end"] <= data["hours_start"]:
            self.add_error("hours_end", _("Office hours must end after they start."))
        return data
