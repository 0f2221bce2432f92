from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kembar.core.uploads import DocumentField
from kembar.core.widgets import DateInput, DateTimeLocalInput
from kembar.partnerships.models import Partnership
from kembar.partnerships.vocab import Field

from .models import government_zone
from .services import CALL_FIELDS
from .vocab import (
    AGE_GROUPS,
    GENDERS,
    ActivityStatus,
    ActivityType,
    AidStatus,
    CallKind,
    CallStatus,
    Modality,
    sdg_choices,
)


def wall_clock(value: dt.datetime | None) -> dt.datetime | None:
    """The date and time as typed (Django made it aware in the site's zone; undo that)."""
    if value is None:
        return None
    if timezone.is_aware(value):
        value = value.astimezone(timezone.get_current_timezone()).replace(tzinfo=None)
    return value


def in_zone(value: dt.datetime | None, zone) -> dt.datetime | None:
    value = wall_clock(value)
    return None if value is None else value.replace(tzinfo=zone).astimezone(dt.UTC)


def host_choices(partnership: Partnership) -> list[tuple[int, str]]:
    return [(g.pk, g.name) for g in partnership.governments]


def chosen_government(partnership: Partnership, pk: int):
    """The partner chosen among `host_choices`."""
    return partnership.government_a if pk == partnership.government_a_id else partnership.government_b


def parse_breakdown(text: str) -> dict:
    """'female=12 male=10 18_29=20' -> {'female': 12, ...}; ValueError names what is wrong."""
    out = {}
    for part in text.replace(",", " ").split():
        key, sep, value = part.partition("=")
        if not sep or key not in GENDERS + AGE_GROUPS:
            raise ValueError(part)
        out[key] = int(value)
    return out


def format_breakdown(counts: dict) -> str:
    return " ".join(f"{k}={v}" for k, v in counts.items())


class ActivityForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    type = forms.ChoiceField(label=_("Type"), choices=ActivityType.choices)
    field = forms.ChoiceField(label=_("Field of cooperation"), choices=[("", "—")] + Field.choices, required=False)
    modality = forms.ChoiceField(label=_("Modality"), choices=Modality.choices)
    status = forms.ChoiceField(label=_("Status"), choices=ActivityStatus.choices)
    host = forms.TypedChoiceField(label=_("Host"), coerce=int)
    start = forms.DateTimeField(label=_("Start"), widget=DateTimeLocalInput, help_text=_("In the host's local time."))
    end = forms.DateTimeField(label=_("End"), widget=DateTimeLocalInput, help_text=_("In the host's local time."))
    recurrence = forms.CharField(
        label=_("Recurrence"),
        required=False,
        max_length=300,
        help_text=_(
            "An RFC 5545 rule: FREQ=YEARLY for every year, FREQ=YEARLY;INTERVAL=2 "
            "for every two years. Empty for a single event."
        ),
    )
    exceptions = forms.CharField(
        label=_("Exceptions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Occurrences that do not take place: their start in the host's local time, one per line (YYYY-MM-DD HH:MM)."
        ),
    )
    location = forms.CharField(label=_("Location"), required=False, max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    participants_a = forms.IntegerField(label=_("Participants of the first partner"), required=False)
    participants_b = forms.IntegerField(label=_("Participants of the second partner"), required=False)
    breakdown_a = forms.CharField(
        label=_("Breakdown, first partner"),
        required=False,
        help_text=_("Optional: female=12 male=10 other=0 under_18=5 18_29=15 30_49=2 50_plus=0"),
    )
    breakdown_b = forms.CharField(label=_("Breakdown, second partner"), required=False)
    budget = forms.DecimalField(label=_("Budget"), required=False, max_digits=16, decimal_places=2)
    currency = forms.CharField(
        label=_("Currency"), required=False, max_length=3, help_text=_("ISO 4217 code: IDR, JPY, USD, EUR...")
    )
    outcomes = forms.CharField(label=_("Outcomes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    sdg_targets = forms.MultipleChoiceField(
        label=_("SDG goals and targets"), choices=sdg_choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    public = forms.BooleanField(
        label=_("Public"),
        required=False,
        initial=False,
        help_text=_("Shown on the public portal and in the calendar feeds. Off until you tick it."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    # What goes between the activity and the form as it is; the other fields are converted.
    FIELDS = [
        "title",
        "type",
        "field",
        "modality",
        "status",
        "recurrence",
        "location",
        "description",
        "participants_a",
        "participants_b",
        "budget",
        "outcomes",
        "sdg_targets",
        "public",
    ]

    def __init__(self, *args, partnership: Partnership, **kwargs):
        super().__init__(*args, **kwargs)
        self.partnership = partnership
        self.fields["host"].choices = host_choices(partnership)
        self.fields["participants_a"].label = _("Participants from %(name)s") % {"name": partnership.government_a.name}
        self.fields["participants_b"].label = _("Participants from %(name)s") % {"name": partnership.government_b.name}

    @classmethod
    def for_activity(cls, activity, data=None):
        zone = activity.zone
        initial = {k: getattr(activity, k) for k in [*cls.FIELDS, "currency", "version"]}
        initial.update(
            host=activity.host_id,
            start=activity.start.astimezone(zone).replace(tzinfo=None),
            end=activity.end.astimezone(zone).replace(tzinfo=None),
            exceptions="\n".join(
                dt.datetime.fromisoformat(e.replace("Z", "+00:00")).astimezone(zone).strftime("%Y-%m-%d %H:%M")
                for e in activity.exceptions
            ),
            breakdown_a=format_breakdown(activity.breakdown.get("a", {})),
            breakdown_b=format_breakdown(activity.breakdown.get("b", {})),
        )
        return cls(data=data, initial=initial, partnership=activity.partnership)

    def activity_data(self) -> dict:
        d = self.cleaned_data
        host = chosen_government(self.partnership, d["host"])
        zone = government_zone(host)
        data = {k: d[k] for k in self.FIELDS}
        data.update(
            host=host,
            start=in_zone(d["start"], zone),
            end=in_zone(d["end"], zone),
            currency=d["currency"].strip().upper(),
            exceptions=[in_zone(e, zone) for e in d["exceptions"]],
            breakdown={side: d["breakdown_" + side] for side in ("a", "b") if d["breakdown_" + side]},
        )
        return data

    def clean_exceptions(self):
        out = []
        for line in self.cleaned_data["exceptions"].splitlines():
            line = line.strip()
            if not line:
                continue
            try:
                out.append(dt.datetime.strptime(line.replace("T", " ")[:16], "%Y-%m-%d %H:%M"))
            except ValueError:
                raise forms.ValidationError(
                    _("“%(value)s” is not a date and time (YYYY-MM-DD HH:MM).") % {"value": line}
                )
        return out

    def _breakdown(self, name):
        try:
            return parse_breakdown(self.cleaned_data[name])
        except ValueError as exc:
            raise forms.ValidationError(
                _("“%(value)s” is not a group=count pair of the breakdown.") % {"value": exc.args[0]}
            )

    def clean_breakdown_a(self):
        return self._breakdown("breakdown_a")

    def clean_breakdown_b(self):
        return self._breakdown("breakdown_b")


class PostponeForm(forms.Form):
    occurrence = forms.ChoiceField(label=_("What is postponed"), required=False)
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Say why the activity is postponed.")},
    )
    to_be_decided = forms.BooleanField(label=_("New date to be decided"), required=False)
    new_start = forms.DateTimeField(
        label=_("New start"), required=False, widget=DateTimeLocalInput, help_text=_("In the host's local time.")
    )
    new_end = forms.DateTimeField(label=_("New end"), required=False, widget=DateTimeLocalInput)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, activity, upcoming=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.activity = activity
        choices = [("", _("The whole activity"))]
        zone = activity.zone
        choices += [
            (
                o.planned_start.strftime("%Y-%m-%dT%H:%M:%SZ"),
                _("Only the occurrence of %(when)s")
                % {"when": o.planned_start.astimezone(zone).strftime("%Y-%m-%d %H:%M")},
            )
            for o in upcoming
        ]
        self.fields["occurrence"].choices = choices
        if not activity.recurrence:
            self.fields["occurrence"].widget = forms.HiddenInput()

    def clean(self):
        data = super().clean()
        if not data.get("to_be_decided") and not data.get("new_start"):
            self.add_error("new_start", _("Give the new date, or tick “New date to be decided”."))
        if data.get("to_be_decided") and data.get("new_start"):
            self.add_error("new_start", _("Either a new date or “to be decided”, not both."))
        return data


class ConvertForm(forms.Form):
    modality = forms.ChoiceField(label=_("New modality"), choices=Modality.choices)
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class AttachmentForm(forms.Form):
    file = DocumentField(label=_("Attachment"))


class CallForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=CallKind.choices)
    field = forms.ChoiceField(label=_("Field of cooperation"), choices=[("", "—")] + Field.choices, required=False)
    host = forms.TypedChoiceField(label=_("Offered by"), coerce=int)
    quota = forms.IntegerField(label=_("Places"), required=False)
    eligibility = forms.CharField(label=_("Eligibility"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    opens = forms.DateField(label=_("Opens"), required=False, widget=DateInput)
    deadline = forms.DateField(label=_("Deadline"), widget=DateInput)
    closed_on = forms.DateField(label=_("Closed on"), required=False, widget=DateInput)
    how_to_apply = forms.CharField(
        label=_("How to apply"), max_length=300, help_text=_("A link or a contact (e-mail address, telephone).")
    )
    status = forms.ChoiceField(label=_("Status"), choices=CallStatus.choices)
    awarded = forms.IntegerField(label=_("Awarded"), required=False)
    public = forms.BooleanField(label=_("Public"), required=False, initial=True)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    FIELDS = [name for name in CALL_FIELDS if name != "host"]  # the host is chosen among the two partners

    def __init__(self, *args, partnership: Partnership, **kwargs):
        super().__init__(*args, **kwargs)
        self.partnership = partnership
        self.fields["host"].choices = host_choices(partnership)

    def call_data(self) -> dict:
        d = self.cleaned_data
        data = {k: d[k] for k in self.FIELDS}
        data["host"] = chosen_government(self.partnership, d["host"])
        return data


class AidForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    donor = forms.TypedChoiceField(label=_("Donor"), coerce=int)
    status = forms.ChoiceField(label=_("Status"), choices=AidStatus.choices)
    items = forms.CharField(
        label=_("Items"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "One item a line: quantity, unit, item — e.g. “50000 | pieces | surgical "
            "masks” or “20 | units | ventilators”."
        ),
    )
    pledged_on = forms.DateField(label=_("Pledged on"), required=False, widget=DateInput)
    shipped_on = forms.DateField(label=_("Shipped on"), required=False, widget=DateInput)
    received_on = forms.DateField(label=_("Received on"), required=False, widget=DateInput)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    public = forms.BooleanField(label=_("Public"), required=False, initial=True)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, partnership: Partnership, **kwargs):
        super().__init__(*args, **kwargs)
        self.partnership = partnership
        self.fields["donor"].choices = host_choices(partnership)

    def clean_items(self):
        out = []
        for n, line in enumerate(self.cleaned_data["items"].splitlines(), 1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split("|")]
            if len(parts) == 2:
                parts = [parts[0], "", parts[1]]
            if len(parts) != 3:
                raise forms.ValidationError(_("Line %(n)s: write “quantity | unit | item”.") % {"n": n})
            try:
                quantity = Decimal(parts[0].replace(",", ""))
            except InvalidOperation:
                raise forms.ValidationError(
                    _("Line %(n)s: “%(value)s” is not a quantity.") % {"n": n, "value": parts[0]}
                )
            out.append({"quantity": quantity, "unit": parts[1], "name": parts[2]})
        return out

    def aid_data(self) -> dict:
        d = self.cleaned_data
        data = {k: d[k] for k in ["title", "status", "pledged_on", "shipped_on", "received_on", "notes", "public"]}
        data["donor"] = chosen_government(self.partnership, d["donor"])
        data["items"] = d["items"]
        return data


def format_items(shipment) -> str:
    return "\n".join(f"{i.quantity.normalize():f} | {i.unit} | {i.name}" for i in shipment.items.all())


class PortalFilterForm(forms.Form):
    city = forms.TypedChoiceField(label=_("City or region"), coerce=int, required=False, empty_value=None)
    country = forms.ChoiceField(label=_("Country"), required=False)
    field = forms.ChoiceField(label=_("Field"), choices=[("", _("All fields"))] + Field.choices, required=False)
    month = forms.CharField(label=_("Month"), required=False, widget=forms.DateInput(attrs={"type": "month"}))

    def __init__(self, *args, governments=(), **kwargs):
        super().__init__(*args, **kwargs)
        from kembar.gazetteer.services import country_choices

        self.fields["city"].choices = [("", _("All places"))] + [(g.pk, str(g)) for g in governments]
        self.fields["country"].choices = [("", _("All countries"))] + country_choices()

    def clean_month(self):
        month = self.cleaned_data["month"].strip()
        if month:
            try:
                dt.datetime.strptime(month, "%Y-%m")
            except ValueError:
                raise forms.ValidationError(_("Give the month as YYYY-MM."))
        return month
