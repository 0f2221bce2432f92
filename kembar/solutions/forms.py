from django import forms
from django.utils.translation import gettext_lazy as _

from kembar.accounts import permissions
from kembar.core import languages
from kembar.core.uploads import ACCEPT, check_upload
from kembar.core.widgets import DateInput
from kembar.partnerships.forms import fields_of_cooperation
from kembar.partnerships.models import LocalGovernment
from kembar.partnerships.vocab import Field

from .models import SUMMARY_MAX, TEXT_MAX, TITLE_MAX, Need, Solution
from .vocab import SDG_CODE_CHOICES, CostRange, Maturity, MilestoneStatus, PilotStatus, ProviderKind


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """Several documents at once, each through `kembar.core.uploads.check_upload`."""

    widget = MultipleFileInput(attrs={"accept": ACCEPT})

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else ([data] if data else [])
        for f in files:
            f.checked = check_upload(f)
        return files


class LimitedText(forms.CharField):
    """Text with a length limit whose message names the limit and the length (as the services do)."""

    def __init__(self, *args, limit: int, **kwargs):
        self.limit = limit
        super().__init__(*args, **kwargs)

    def validate(self, value):
        super().validate(value)
        if value and len(value) > self.limit:
            raise forms.ValidationError(
                _("At most %(limit)d characters (this has %(length)d).") % {"limit": self.limit, "length": len(value)}
            )


def _text(label, limit, required=True, rows=3, help_text=""):
    return LimitedText(
        label=label,
        required=required,
        help_text=help_text,
        limit=limit,
        widget=forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput(),
        error_messages={"required": _("This text cannot be empty.")},
    )


def own_governments(user):
    return (
        LocalGovernment.objects.filter(pk__in=permissions.acting_governments(user))
        .select_related("place")
        .order_by("name")
    )


class OfferForm(forms.Form):
    # The version the edit page was read at: a stale or missing one is refused, never saved over.
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, user, instance=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance = instance
        if instance is None:
            del self.fields["version"]  # a new offer has none yet
            self.fields["government"] = forms.ModelChoiceField(
                label=_("Government"), queryset=own_governments(user), empty_label=None
            )
            self.order_fields(["government"])
        if instance is not None and not self.is_bound:
            for name in self.fields:
                if name == "fields":
                    self.initial[name] = [f.code for f in instance.fields.all()]
                elif name != "attachments" and hasattr(instance, name):
                    self.initial[name] = getattr(instance, name)

    def data_for_service(self) -> dict:
        skip = {"government", "version", "attachments"}
        return {k: v for k, v in self.cleaned_data.items() if k not in skip}


COMMON = {
    "fields": fields_of_cooperation,
    "sdg_targets": lambda: forms.MultipleChoiceField(
        label=_("SDG goals and targets"), choices=SDG_CODE_CHOICES, required=False, widget=forms.CheckboxSelectMultiple
    ),
    "languages": lambda: forms.MultipleChoiceField(
        label=_("Languages"), choices=languages.choices, required=False, widget=forms.CheckboxSelectMultiple
    ),
}


class SolutionForm(OfferForm):
    title = _text(_("Title"), TITLE_MAX, rows=0)
    summary = _text(_("Summary"), SUMMARY_MAX, rows=3)
    problem = _text(_("The problem it solves"), TEXT_MAX, rows=4)
    provider_kind = forms.ChoiceField(label=_("Provider"), choices=ProviderKind.choices)
    provider_name = forms.CharField(label=_("Provider's name"), required=False)
    provider_contact = forms.CharField(
        label=_("Provider's contact"), required=False, help_text=_("A person, an e-mail address or a telephone number.")
    )
    provider_website = forms.URLField(label=_("Provider's website"), required=False, assume_scheme="https")
    fields = COMMON["fields"]()
    sdg_targets = COMMON["sdg_targets"]()
    maturity = forms.ChoiceField(label=_("Maturity"), choices=Maturity.choices, initial=Maturity.IN_USE)
    evidence = _text(
        _("Evidence"), TEXT_MAX, required=False, help_text=_("Figures, reports, links: what shows that it works.")
    )
    languages = COMMON["languages"]()
    cost_range = forms.ChoiceField(label=_("Cost range (per year)"), choices=CostRange.choices)
    adoption_needs = _text(
        _("What adoption needs"), TEXT_MAX, required=False, help_text=_("Staff, data, hardware, licences, training.")
    )
    public = forms.BooleanField(
        label=_("Public"),
        required=False,
        initial=True,
        help_text=_("Shown to everyone, including the public catalogue."),
    )
    attachments = AttachmentsField(
        label=_("Attachments"), required=False, help_text=_("Reports, brochures, photos: PDF, DOCX, ODT or images.")
    )


class NeedForm(OfferForm):
    title = _text(_("Title"), TITLE_MAX, rows=0)
    description = _text(
        _("Description"),
        TEXT_MAX,
        rows=5,
        help_text=_("The challenge in your own words, in Bahasa Indonesia or English."),
    )
    fields = COMMON["fields"]()
    sdg_targets = COMMON["sdg_targets"]()
    constraints = _text(_("Constraints"), TEXT_MAX, required=False)
    budget_range = forms.ChoiceField(label=_("Budget range (per year)"), choices=CostRange.choices)
    languages = COMMON["languages"]()
    public = forms.BooleanField(
        label=_("Public"),
        required=False,
        initial=True,
        help_text=_("Shown to everyone; otherwise to your partners' offices only."),
    )


class OfferFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    field = forms.ChoiceField(label=_("Field"), choices=[("", _("All fields"))] + Field.choices, required=False)
    sdg = forms.ChoiceField(label=_("SDG"), choices=[("", _("All SDGs"))] + SDG_CODE_CHOICES, required=False)
    government = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput)


class InterestForm(forms.Form):
    government = forms.ModelChoiceField(
        label=_("Adopting government"), queryset=LocalGovernment.objects.none(), empty_label=None
    )
    need = forms.ModelChoiceField(
        label=_("For our need"), queryset=Need.objects.none(), required=False, empty_label=_("(none)")
    )

    def __init__(self, *args, user, solution: Solution, **kwargs):
        super().__init__(*args, **kwargs)
        governments = own_governments(user).exclude(pk=solution.government_id)
        self.fields["government"].queryset = governments
        self.fields["need"].queryset = Need.objects.filter(government__in=governments).order_by("title")


class PilotForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(label=_("Status"), choices=PilotStatus.choices)
    outcome = _text(_("Outcome"), TEXT_MAX, required=False, rows=3)
    public = forms.BooleanField(
        label=_("Public"), required=False, help_text=_("Shown in the public catalogue as an adoption.")
    )


class MilestoneForm(forms.Form):
    title = forms.CharField(label=_("Milestone"), max_length=TITLE_MAX)
    due = forms.DateField(label=_("Due"), widget=DateInput)
    status = forms.ChoiceField(label=_("Status"), choices=MilestoneStatus.choices)


class TrackActivityForm(forms.Form):
    start = forms.DateField(label=_("First day"), widget=DateInput)
    end = forms.DateField(label=_("Last day"), widget=DateInput)

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("The last day is before the first."))
        return data


class MilestoneStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=MilestoneStatus.choices)
