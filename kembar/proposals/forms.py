from django import forms
from django.utils.translation import gettext_lazy as _

from kembar.core.uploads import DocumentField
from kembar.partnerships.forms import GovernmentField, fields_of_cooperation

from .models import MAX_MESSAGE, MAX_PLAN


class ProposalForm(forms.Form):
    """A cooperation proposal from outside. `homepage` is a trap for robots: hidden from people
    (and from screen readers), it must stay empty."""

    organisation_name = forms.CharField(
        label=_("Government or organisation"),
        max_length=200,
        help_text=_("The city, province or organisation that proposes, e.g. “Kota Suwon”, “Kumamoto City”."),
    )
    country_code = forms.ChoiceField(label=_("Country"))
    contact_name = forms.CharField(label=_("Contact person"), max_length=200)
    email = forms.EmailField(label=_("E-mail"), max_length=254, help_text=_("The office answers to this address."))
    website = forms.URLField(label=_("Website"), required=False, max_length=200, assume_scheme="https")
    fields = fields_of_cooperation()
    plan = forms.CharField(
        label=_("The cooperation you propose"),
        max_length=MAX_PLAN,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("A short plan: aims, first activities, who takes part, when."),
    )
    terms = DocumentField(label=_("Terms of reference (KAK)"), required=False)
    letter = DocumentField(label=_("Letter to the head of the government"), required=False)
    homepage = forms.CharField(label=_("Leave this empty"), required=False, max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from kembar.gazetteer.services import country_choices

        self.fields["country_code"].choices = [("", "—")] + country_choices()
        self.fields["homepage"].widget.attrs.update({"autocomplete": "off", "tabindex": "-1"})

    @property
    def trapped(self) -> bool:
        """A robot filled the hidden field."""
        return bool((self.data.get("homepage") or "").strip())

    def proposal_data(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("homepage", None)
        return data


class AcceptForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    government = GovernmentField(
        label=_("The proposer's government"),
        required=False,
        help_text=_(
            "Leave empty to take the registered government (or the gazetteer's place) of the name and "
            "country the proposer gave."
        ),
    )
    message = forms.CharField(
        label=_("Message to the proposer"),
        required=False,
        max_length=MAX_MESSAGE,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AskForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    message = forms.CharField(
        label=_("What the office asks for"), max_length=MAX_MESSAGE, widget=forms.Textarea(attrs={"rows": 3})
    )


class DeclineForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Why the office declines"), max_length=MAX_MESSAGE, widget=forms.Textarea(attrs={"rows": 3})
    )
