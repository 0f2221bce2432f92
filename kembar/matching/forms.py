from django import forms
from django.utils.translation import gettext_lazy as _

from kembar.core import languages
from kembar.gazetteer.services import country_choices
from kembar.partnerships.forms import fields_of_cooperation
from kembar.partnerships.models import LocalGovernment
from kembar.partnerships.vocab import Field, Trait

from .models import LANGUAGES_NOTE_MAX, PartnerRequest
from .services import region_choices


class SuggestionFilterForm(forms.Form):
    country = forms.ChoiceField(label=_("Country"), required=False)
    region = forms.ChoiceField(
        label=_("Region"), required=False, help_text=_("A province (first-level division) of the chosen country.")
    )
    population_min = forms.IntegerField(label=_("Population from"), required=False, min_value=0)
    population_max = forms.IntegerField(label=_("Population up to"), required=False, min_value=0)
    traits = forms.MultipleChoiceField(
        label=_("Traits"), choices=Trait.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    field = forms.ChoiceField(
        label=_("Field of cooperation"), required=False, choices=[("", _("any"))] + list(Field.choices)
    )
    domestic = forms.BooleanField(
        label=_("Also places in our own country"),
        required=False,
        help_text=_("Without it, only places abroad are suggested (unless the country chosen is your own)."),
    )
    all_levels = forms.BooleanField(
        label=_("Also other levels of government"),
        required=False,
        help_text=_(
            "Without it, only places at your level are suggested: provinces, prefectures and states for a "
            "province; cities and municipalities for a city or regency."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", _("any"))] + list(country_choices())
        country = self.data.get("country") if self.is_bound else ""
        self.fields["region"].choices = [("", _("any"))] + (region_choices(country) if country else [])

    def clean(self):
        data = super().clean()
        low, high = data.get("population_min"), data.get("population_max")
        if low is not None and high is not None and low > high:
            self.add_error("population_max", _("The maximum is below the minimum."))
        return data


class PartnerRequestForm(forms.Form):
    government = forms.ModelChoiceField(label=_("Our government"), queryset=None, empty_label=None)
    title = forms.CharField(label=_("Title"), max_length=200)
    offers = forms.CharField(label=_("What we offer"), widget=forms.Textarea(attrs={"rows": 3}))
    seeks = forms.CharField(label=_("What we seek"), widget=forms.Textarea(attrs={"rows": 3}))
    preferred_countries = forms.MultipleChoiceField(
        label=_("Preferred countries"), required=False, help_text=_("None: any country.")
    )
    fields = fields_of_cooperation()
    languages = forms.MultipleChoiceField(
        label=_("Working languages"),
        choices=languages.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    languages_note = forms.CharField(
        label=_("Other languages"),
        max_length=LANGUAGES_NOTE_MAX,
        required=False,
        help_text=_("A language the list lacks, or how you work: “Japanese through an interpreter”."),
    )
    contact_email = forms.EmailField(label=_("Contact e-mail"))

    def __init__(self, *args, governments=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["government"].queryset = governments
        self.fields["preferred_countries"].choices = list(country_choices())


class PartnerRequestEditForm(PartnerRequestForm):
    """The same request, without its government (fixed), with its status: closing it ends the call."""

    status = forms.ChoiceField(
        label=_("Status"),
        choices=PartnerRequest.Status.choices,
        help_text=_("Closed and draft requests are shown to your office only."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, governments=LocalGovernment.objects.none(), **kwargs)
        del self.fields["government"]


class InterestForm(forms.Form):
    government = forms.ModelChoiceField(label=_("In the name of"), queryset=None, empty_label=None)
    message = forms.CharField(label=_("Message"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, governments=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["government"].queryset = governments


class RequestFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    country = forms.ChoiceField(label=_("Requester’s country"), required=False)
    seeking = forms.ChoiceField(label=_("Open to partners in"), required=False)
    field = forms.ChoiceField(
        label=_("Field of cooperation"), required=False, choices=[("", _("any"))] + list(Field.choices)
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = self.fields["seeking"].choices = [("", _("any"))] + list(country_choices())
