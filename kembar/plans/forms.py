from django import forms
from django.utils.translation import gettext_lazy as _

from kembar.core.numbers import DecimalField
from kembar.core.widgets import DateInput

from .vocab import SDG_TARGET_CHOICES, Funder, Indicator, LineKind


def _sides(field: forms.Field, governments) -> None:
    field.choices = [(g.pk, g.name) for g in governments]


class PlanForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    title = forms.CharField(label=_("Title"), max_length=200)
    first_year = forms.IntegerField(label=_("First year"), min_value=1950, max_value=2100)
    last_year = forms.IntegerField(label=_("Last year"), min_value=1950, max_value=2100)
    agreement = forms.ModelChoiceField(
        label=_("Agreement"),
        queryset=None,
        required=False,
        help_text=_("The agreement whose period the plan serves, if any."),
    )
    currency = forms.CharField(
        label=_("Currency of the totals"), max_length=3, initial="IDR", help_text=_("ISO 4217 code: IDR, USD, EUR...")
    )
    summary = forms.CharField(
        label=_("Summary"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, partnership, plan=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agreement"].queryset = partnership.agreements.order_by("-id")
        if plan is None:
            del self.fields["version"]
        elif not self.is_bound:
            self.initial.update(
                version=plan.version,
                title=plan.title,
                first_year=plan.first_year,
                last_year=plan.last_year,
                agreement=plan.agreement_id,
                currency=plan.currency,
                summary=plan.summary,
            )


class ObjectiveForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    side = forms.TypedChoiceField(label=_("Led by"), coerce=int)
    title = forms.CharField(label=_("Objective"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )
    unit_a = forms.CharField(label=_("Responsible unit of the first partner"), required=False, max_length=200)
    unit_b = forms.CharField(label=_("Responsible unit of the second partner"), required=False, max_length=200)

    def __init__(self, *args, sides, objective=None, **kwargs):
        super().__init__(*args, **kwargs)
        if objective is None:
            del self.fields["version"]
            _sides(self.fields["side"], sides)
        else:
            del self.fields["side"]
            if not self.is_bound:
                self.initial.update(
                    version=objective.version,
                    title=objective.title,
                    description=objective.description,
                    unit_a=objective.unit_a,
                    unit_b=objective.unit_b,
                )


class TargetForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    title = forms.CharField(label=_("Target"), max_length=200)
    indicator = forms.ChoiceField(label=_("Indicator"), choices=Indicator.choices)
    target_value = DecimalField(label=_("Target value"), max_digits=14, decimal_places=2)
    unit = forms.CharField(label=_("Unit"), required=False, max_length=40)
    sdg_target = forms.ChoiceField(label=_("SDG target"), required=False, choices=[("", "—"), *SDG_TARGET_CHOICES])

    def __init__(self, *args, target=None, **kwargs):
        super().__init__(*args, **kwargs)
        if target is None:
            del self.fields["version"]
        elif not self.is_bound:
            self.initial.update(
                version=target.version,
                title=target.title,
                indicator=target.indicator,
                target_value=target.target_value,
                unit=target.unit,
                sdg_target=target.sdg_target,
            )


class PlannedForm(forms.Form):
    objective = forms.TypedChoiceField(label=_("Objective"), coerce=int)
    year = forms.IntegerField(label=_("Year"), min_value=1950, max_value=2100)
    title = forms.CharField(label=_("Planned activity"), max_length=200)
    side = forms.TypedChoiceField(label=_("Carried by"), coerce=int)
    unit = forms.CharField(label=_("Responsible unit"), required=False, max_length=200)

    def __init__(self, *args, objectives, sides, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["objective"].choices = [(o.pk, o.title) for o in objectives]
        _sides(self.fields["side"], sides)


class LinkForm(forms.Form):
    record = forms.ChoiceField(label=_("Activity, aid shipment or pilot"))

    def __init__(self, *args, records, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["record"].choices = [
            (
                _("Activities"),
                [(f"activity:{a.pk}", f"{a.title} ({a.get_status_display()})") for a in records["activity"]],
            ),
            (_("Aid shipments"), [(f"aid:{s.pk}", f"{s.title} ({s.get_status_display()})") for s in records["aid"]]),
            (_("Pilots"), [(f"pilot:{p.pk}", f"{p} ({p.get_status_display()})") for p in records["pilot"]]),
        ]


class LineForm(forms.Form):
    side = forms.TypedChoiceField(label=_("Entered by"), coerce=int)
    kind = forms.ChoiceField(label=_("Budget or spent"), choices=LineKind.choices)
    funder = forms.ChoiceField(label=_("Funder"), choices=Funder.choices)
    funder_name = forms.CharField(
        label=_("Funder's name"), required=False, max_length=200, help_text=_("Required for another funder.")
    )
    amount = DecimalField(label=_("Amount"), max_digits=16, decimal_places=2)
    currency = forms.CharField(label=_("Currency"), max_length=3, help_text=_("ISO 4217 code: IDR, USD, EUR..."))
    on = forms.DateField(
        label=_("Date"), widget=DateInput, help_text=_("Converted for totals at the rate in force on this day.")
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=200)

    def __init__(self, *args, sides, plan=False, **kwargs):
        super().__init__(*args, **kwargs)
        _sides(self.fields["side"], sides)
        if plan:
            del self.fields["kind"]  # a plan's lines are its budget


class TotalsForm(forms.Form):
    currency = forms.CharField(label=_("Show totals in"), max_length=3, required=False)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1950, max_value=2100)
