from django import forms
from django.utils.translation import gettext_lazy as _

from kembar.accounts import permissions
from kembar.core.widgets import DateInput, TimeInput
from kembar.partnerships.forms import fields_of_cooperation

from .models import TEXT_MAX, TITLE_MAX, GrantCall
from .vocab import QUESTIONS, ActivityType, Dimension, FunderType, Kind, Level

CHECKBOXES = forms.CheckboxSelectMultiple


class GrantCallForm(forms.Form):
    # The version the edit page was read at: a stale or missing one is refused, never saved over.
    version = forms.IntegerField(widget=forms.HiddenInput)
    office = forms.ModelChoiceField(label=_("Entered by office"), queryset=None, required=False)
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX)
    funder_name = forms.CharField(label=_("Funder"), max_length=200, help_text=_("Such as: European Commission, JICA."))
    funder_type = forms.ChoiceField(label=_("Type of funder"), choices=FunderType.choices)
    description = forms.CharField(label=_("Description"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 5}))
    link = forms.URLField(label=_("Link to the call"), max_length=500, assume_scheme="https")
    deadline = forms.DateField(label=_("Deadline"), widget=DateInput)
    deadline_time = forms.TimeField(
        label=_("Time of the deadline"),
        required=False,
        widget=TimeInput,
        help_text=_("Leave empty when the call closes at the end of the day."),
    )
    deadline_zone = forms.CharField(
        label=_("Time zone of the deadline"),
        initial="UTC",
        max_length=64,
        help_text=_("The funder's time zone, such as Europe/Brussels or Asia/Tokyo."),
    )
    amount_min = forms.DecimalField(label=_("Smallest grant"), required=False, min_value=0, decimal_places=2)
    amount_max = forms.DecimalField(label=_("Largest grant"), required=False, min_value=0, decimal_places=2)
    currency = forms.CharField(label=_("Currency"), required=False, max_length=3, help_text=_("EUR, JPY, USD, IDR…"))
    partnership_kinds = forms.MultipleChoiceField(
        label=_("Eligible kinds of partnership"),
        choices=Kind.choices,
        required=False,
        widget=CHECKBOXES,
        help_text=_("None ticked: any."),
    )
    levels = forms.MultipleChoiceField(
        label=_("Eligible levels of government"),
        choices=Level.choices,
        required=False,
        widget=CHECKBOXES,
        help_text=_("None ticked: any."),
    )
    countries = forms.CharField(
        label=_("Eligible countries"),
        required=False,
        max_length=2000,
        help_text=_("Names or two-letter codes separated by commas; one partner must be in one. Empty: any."),
    )
    fields = fields_of_cooperation()
    activity_types = forms.MultipleChoiceField(
        label=_("Eligible kinds of activity"), choices=ActivityType.choices, required=False, widget=CHECKBOXES
    )

    def __init__(self, *args, user, instance: GrantCall | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance = instance
        offices = permissions.grant_call_offices(user)
        if instance is None:
            del self.fields["version"]
            self.fields["office"].queryset = offices
            if permissions.can_edit_grant_call(user, GrantCall(office=None)):
                self.fields["office"].empty_label = _("The platform (no office)")
            elif offices.count() == 1:
                del self.fields["office"]  # the only office the user edits for (services.create_call)
            else:
                self.fields["office"].required = True
                self.fields["office"].empty_label = None
        else:
            del self.fields["office"]
            if not self.is_bound:
                for name in self.fields:
                    if name == "fields":
                        self.initial[name] = [f.code for f in instance.fields.all()]
                    elif name == "countries":
                        self.initial[name] = ", ".join(instance.countries)
                    elif hasattr(instance, name):
                        self.initial[name] = getattr(instance, name)

    def data_for_service(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k not in {"version", "office"}}


class CallFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    funder_type = forms.ChoiceField(
        label=_("Type of funder"), choices=[("", _("All funders"))] + FunderType.choices, required=False
    )
    field = forms.ChoiceField(
        label=_("Field"), choices=[("", _("All fields"))] + fields_of_cooperation().choices, required=False
    )
    country = forms.CharField(label=_("Country"), required=False, max_length=60, help_text=_("A name or a code."))
    closed = forms.BooleanField(label=_("Include closed calls"), required=False)


def _score_field(label) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=[(s, str(s)) for s in range(1, 6)],
        coerce=int,
        widget=forms.RadioSelect(attrs={"class": "scale"}),
    )


class AssessmentForm(forms.Form):
    """One side's answers: a score from 1 (not at all) to 5 (fully) per question, an optional comment."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, instance=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance = instance
        labels = dict(Dimension.choices)
        for code, dim, text in QUESTIONS:
            self.fields[f"{code}__score"] = _score_field(text)
            self.fields[f"{code}__score"].dimension = labels[dim]
            self.fields[f"{code}__comment"] = forms.CharField(
                label=_("Comment"), required=False, max_length=1000, widget=forms.TextInput
            )
        if instance is not None and not self.is_bound:
            self.initial["version"] = instance.version
            for code, answer in instance.answers.items():
                self.initial[f"{code}__score"] = answer.get("score")
                self.initial[f"{code}__comment"] = answer.get("comment", "")

    def answers(self) -> dict:
        return {
            code: {"score": self.cleaned_data[f"{code}__score"], "comment": self.cleaned_data[f"{code}__comment"]}
            for code, _dim, _text in QUESTIONS
        }

    def questions(self):
        """(dimension label or None when it repeats, score field, comment field), in order."""
        shown = None
        for code, dim, _text in QUESTIONS:
            score = self[f"{code}__score"]
            yield (score.field.dimension if dim != shown else None), score, self[f"{code}__comment"]
            shown = dim
