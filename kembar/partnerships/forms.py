from django import forms
from django.utils.translation import gettext_lazy as _

from kembar.accounts import permissions
from kembar.core.widgets import DateInput
from kembar.gazetteer.models import Place

from . import services
from .models import LocalGovernment, Partnership
from .vocab import SDG_CHOICES, Field, Kind, Level, Status, Trait


def fields_of_cooperation() -> forms.MultipleChoiceField:
    """The fields of cooperation as checkboxes, none required: every app's forms that have them."""
    return forms.MultipleChoiceField(
        label=_("Fields of cooperation"), choices=Field.choices, required=False, widget=forms.CheckboxSelectMultiple
    )


class PartnershipFieldsMixin(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices, initial=Kind.SISTER_CITY)
    status = forms.ChoiceField(label=_("Status"), choices=Status.choices, initial=Status.PROPOSED)
    since = forms.DateField(
        label=_("Since"), required=False, widget=DateInput, help_text=_("The date the partnership began, if known.")
    )
    fields = fields_of_cooperation()
    basis = forms.CharField(
        label=_("Basis"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What the two share: former capitals, ports, universities..."),
    )
    public = forms.BooleanField(
        label=_("Public"),
        required=False,
        initial=True,
        help_text=_("Shown to everyone, including visitors who are not logged in."),
    )
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Visible to everyone who can see the partnership."),
    )

    def partnership_data(self) -> dict:
        return {k: self.cleaned_data[k] for k in services.EDITABLE_FIELDS}


class PartnershipCreateForm(PartnershipFieldsMixin):
    """New partnership: one of the user's own governments and a partner place from the gazetteer."""

    government = forms.ModelChoiceField(
        label=_("Our government"), queryset=LocalGovernment.objects.none(), empty_label=None
    )
    partner_place = forms.ModelChoiceField(
        label=_("Partner"),
        queryset=Place.objects.all(),
        widget=forms.HiddenInput,
        error_messages={
            "required": _("Choose the partner from the list of places."),
            "invalid_choice": _("Choose the partner from the list of places."),
        },
    )
    partner_level = forms.ChoiceField(
        label=_("Partner's level"), choices=[("", _("Automatic"))] + Level.choices, required=False
    )

    field_order = [
        "government",
        "partner_place",
        "partner_level",
        "kind",
        "status",
        "since",
        "fields",
        "basis",
        "public",
        "notes",
    ]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        qs = permissions.new_partnership_governments(user)
        self.fields["government"].queryset = qs.select_related("place").order_by("name")


class PartnershipEditForm(PartnershipFieldsMixin):
    version = forms.IntegerField(widget=forms.HiddenInput)

    @classmethod
    def for_partnership(cls, partnership: Partnership, data=None) -> "PartnershipEditForm":
        initial = {k: getattr(partnership, k) for k in [*services.EDITABLE_FIELDS, "version"]}
        initial["fields"] = [f.code for f in partnership.fields.all()]
        return cls(data=data, initial=initial)


class PartnershipFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    country = forms.ChoiceField(label=_("Country"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", _("All kinds"))] + Kind.choices, required=False)
    status = forms.ChoiceField(label=_("Status"), choices=[("", _("All statuses"))] + Status.choices, required=False)
    field = forms.ChoiceField(label=_("Field"), choices=[("", _("All fields"))] + Field.choices, required=False)
    government = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from kembar.gazetteer.services import country_choices

        self.fields["country"].choices = [("", _("All countries"))] + country_choices()


class LocalGovernmentForm(forms.ModelForm):
    traits = forms.MultipleChoiceField(
        label=_("Traits"), choices=Trait.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    sdg_priorities = forms.TypedMultipleChoiceField(
        label=_("SDG priorities"), choices=SDG_CHOICES, coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")

    class Meta:
        model = LocalGovernment
        fields = ["name", "traits", "sdg_priorities", "contact_email", "contact_phone", "website", "address"]
        widgets = {"address": forms.Textarea(attrs={"rows": 2})}
