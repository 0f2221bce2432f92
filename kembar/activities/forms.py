from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from kembar.core import numbers
from kembar.core.uploads import DocumentField
from kembar.core.widgets import DateInput, DateTimeLocalInput, Rows
from kembar.partnerships.forms import GovernmentField
from kembar.partnerships.models import Partnership
from kembar.partnerships.vocab import Field

from . import recurrence
from .models import government_zone
from .services import CALL_FIELDS
from .vocab import (
    BREAKDOWN_GROUPS,
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


REPEAT_FREQUENCIES = [
    ("", _("Does not repeat")),
    ("YEARLY", _("Yearly")),
    ("MONTHLY", _("Monthly")),
    ("WEEKLY", _("Weekly")),
]
CUSTOM_RULE = "custom"


class ExceptionDatesField(forms.Field):
    """The days a repeating activity skips, as rows of a date picker each (core's Rows widget);
    the value is the days, in order, each once. The form puts each at the start's time of day."""

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "widget",
            Rows(
                [{"key": "day", "label": _("Date"), "type": "date"}],
                add_label=_("Add a date"),
                blank_rows=1,
                empty_rows=1,
                attrs={"class": "rows-single"},
            ),
        )
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value):
        days = set()
        for n, row in enumerate(value or [], 1):
            text = str((row or {}).get("day") or "").strip()
            if not text:
                continue
            try:
                days.add(dt.date.fromisoformat(text))
            except ValueError:
                raise forms.ValidationError(
                    _("Row %(n)s: “%(value)s” is not a date (YYYY-MM-DD).") % {"n": n, "value": text}
                )
        return sorted(days)


class ActivityForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    type = forms.ChoiceField(label=_("Type"), choices=ActivityType.choices)
    field = forms.ChoiceField(label=_("Field of cooperation"), choices=[("", "—")] + Field.choices, required=False)
    modality = forms.ChoiceField(label=_("Modality"), choices=Modality.choices)
    status = forms.ChoiceField(label=_("Status"), choices=ActivityStatus.choices)
    host = forms.TypedChoiceField(label=_("Host"), coerce=int)
    start = forms.DateTimeField(label=_("Start"), widget=DateTimeLocalInput, help_text=_("In the host's local time."))
    end = forms.DateTimeField(label=_("End"), widget=DateTimeLocalInput, help_text=_("In the host's local time."))
    recurrence = forms.ChoiceField(label=_("Repeats"), choices=REPEAT_FREQUENCIES, required=False)
    repeat_interval = forms.IntegerField(
        label=_("Every"),
        required=False,
        initial=1,
        widget=forms.NumberInput(attrs={"min": 1, "max": 99}),
        help_text=_("Years, months or weeks between two occurrences: 2 for every other one."),
    )
    repeat_until = forms.DateField(
        label=_("Until"),
        required=False,
        widget=DateInput,
        help_text=_("The last day it may take place. Empty: no end."),
    )
    repeat_count = forms.IntegerField(
        label=_("Or a number of times"),
        required=False,
        widget=forms.NumberInput(attrs={"min": 1}),
        help_text=_("How many times in all, the first included."),
    )
    custom_rule = forms.CharField(widget=forms.HiddenInput, required=False, max_length=300)
    exceptions = ExceptionDatesField(
        label=_("Exceptions"),
        help_text=_("Days on which a repeating activity does not take place (the host's local date)."),
    )
    location = forms.CharField(label=_("Location"), required=False, max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    participants_a = forms.IntegerField(label=_("Participants of the first partner"), required=False)
    participants_b = forms.IntegerField(label=_("Participants of the second partner"), required=False)
    budget = numbers.DecimalField(label=_("Budget"), required=False, max_digits=16, decimal_places=2)
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

    # What goes between the activity and the form as it is; the other fields are converted.
    FIELDS = [
        "title",
        "type",
        "field",
        "modality",
        "status",
        "location",
        "description",
        "participants_a",
        "participants_b",
        "budget",
        "outcomes",
        "sdg_targets",
        "public",
    ]

    REPEAT_FIELDS = ["recurrence", "repeat_interval", "repeat_until", "repeat_count"]

    def __init__(self, *args, partnership: Partnership, **kwargs):
        super().__init__(*args, **kwargs)
        self.partnership = partnership
        self.fields["host"].choices = host_choices(partnership)
        for side in ("a", "b"):
            self.fields["participants_" + side].label = _("In all")
            for key, label in BREAKDOWN_GROUPS.items():
                self.fields[f"breakdown_{side}_{key}"] = forms.IntegerField(
                    label=label, required=False, widget=forms.NumberInput(attrs={"min": 0})
                )
        custom = self.data.get("custom_rule") if self.is_bound else self.initial.get("custom_rule")
        if custom:  # a rule given through the API that the controls cannot show: kept as it is
            self.fields["recurrence"].choices = [
                *REPEAT_FREQUENCIES,
                (CUSTOM_RULE, _("As now: %(rule)s") % {"rule": recurrence.describe(custom)}),
            ]

    def layout(self):
        """The fields in the order shown, each alone or in a titled group: (legend, fields)."""
        out = []
        for field in self.visible_fields():
            name = field.name
            if name == "recurrence":
                out.append((_("Repetition"), [self[n] for n in self.REPEAT_FIELDS]))
            elif name in ("participants_a", "participants_b"):
                side = name[-1]
                government = self.partnership.government_a if side == "a" else self.partnership.government_b
                fields = [field] + [self[f"breakdown_{side}_{key}"] for key in BREAKDOWN_GROUPS]
                out.append((_("Participants from %(name)s") % {"name": government.name}, fields))
            elif name not in self.REPEAT_FIELDS and not name.startswith("breakdown_"):
                out.append((None, [field]))
        return out

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
            exceptions=[in_zone(moment, zone) for moment in self.exception_starts()],
            recurrence=self.rule(),
            breakdown=self.breakdown(),
        )
        return data

    def rule(self) -> str:
        """The RFC 5545 rule the repeat controls give (the activity keeps a custom rule as it is)."""
        d = self.cleaned_data
        if d["recurrence"] == CUSTOM_RULE:
            return d["custom_rule"]
        return recurrence.compose_rule(
            d["recurrence"], d.get("repeat_interval") or 1, d.get("repeat_until"), d.get("repeat_count")
        )

    def breakdown(self) -> dict:
        d = self.cleaned_data
        out = {}
        for side in ("a", "b"):
            counts = {key: d[f"breakdown_{side}_{key}"] for key in BREAKDOWN_GROUPS}
            counts = {key: n for key, n in counts.items() if n is not None}
            if counts:
                out[side] = counts
        return out

    def exception_starts(self) -> list[dt.datetime]:
        """The skipped occurrences' starts as typed in the host's local time: each day at the
        start's time of day (a series keeps its local time of day, kembar.activities.recurrence)."""
        start = wall_clock(self.cleaned_data.get("start"))
        if start is None:
            return []
        return [dt.datetime.combine(day, start.time()) for day in self.cleaned_data.get("exceptions") or []]

    def clean(self):
        data = super().clean()
        if data.get("recurrence") and data.get("repeat_until") and data.get("repeat_count"):
            self.add_error("repeat_count", _("Give an end date or a number of times, not both."))
        if data.get("exceptions") and not self.errors:
            self._check_exception_days()
        return data

    def _check_exception_days(self):
        """Each exception is a day of the series: a day it would not take place anyway is named."""
        rule = self.rule()
        if not rule:
            self.add_error("exceptions", _("Only a repeating activity has exceptions: choose how it repeats."))
            return
        host = chosen_government(self.partnership, self.cleaned_data["host"])
        zone = government_zone(host)
        start = in_zone(self.cleaned_data["start"], zone)
        try:
            series = recurrence.parse_rule(rule, start, zone)
        except ValidationError:
            return  # the service names what is wrong with the rule
        outside = [moment for moment in self.exception_starts() if series.after(moment, inc=True) != moment]
        if outside:
            self.add_error(
                "exceptions",
                _("The activity does not take place on %(days)s anyway: give days of the series.")
                % {"days": ", ".join(date_format(moment.date(), "SHORT_DATE_FORMAT") for moment in outside)},
            )


class ActivityEditForm(ActivityForm):
    """The form of an existing activity: it carries the version it was read at, and a stale or
    missing one is refused (the page says the form is out of date), never saved over."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    @classmethod
    def for_activity(cls, activity, data=None):
        zone = activity.zone
        initial = {k: getattr(activity, k) for k in [*cls.FIELDS, "currency", "version"]}
        initial.update(
            host=activity.host_id,
            start=activity.start.astimezone(zone).replace(tzinfo=None),
            end=activity.end.astimezone(zone).replace(tzinfo=None),
            exceptions=[
                {"day": recurrence.parse_moment(e).astimezone(zone).date().isoformat()} for e in activity.exceptions
            ],
        )
        for side in ("a", "b"):
            for key, count in (activity.breakdown or {}).get(side, {}).items():
                initial[f"breakdown_{side}_{key}"] = count
        repeat = recurrence.simple_repeat(activity.recurrence) if activity.recurrence else None
        if repeat is not None and repeat.frequency in recurrence.SIMPLE_FREQUENCIES:
            initial.update(
                recurrence=repeat.frequency,
                repeat_interval=repeat.interval,
                repeat_until=repeat.until,
                repeat_count=repeat.count,
            )
        elif activity.recurrence:
            initial.update(recurrence=CUSTOM_RULE, custom_rule=activity.recurrence)
        return cls(data=data, initial=initial, partnership=activity.partnership)


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
    version = forms.IntegerField(widget=forms.HiddenInput)

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
    version = forms.IntegerField(widget=forms.HiddenInput)


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


class CallEditForm(CallForm):
    """An existing call, with the version it was read at (required, as ActivityEditForm's)."""

    version = forms.IntegerField(widget=forms.HiddenInput)


class AidItemsField(forms.Field):
    """An aid shipment's items as rows of quantity, unit and description. A blank row is left
    out; what an item must be (a name, a quantity above zero) the service says. The quantity is
    typed as the page's language writes numbers ("50.000" is fifty thousand in Bahasa
    Indonesia; kembar.core.numbers), so it is a text input with a decimal keyboard."""

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "widget",
            Rows(
                [
                    {"key": "quantity", "label": _("Quantity"), "inputmode": "decimal", "class": "col-number"},
                    {"key": "unit", "label": _("Unit"), "class": "col-unit"},
                    {"key": "name", "label": _("Description")},
                ],
                add_label=_("Add an item"),
            ),
        )
        kwargs.setdefault(
            "help_text",
            format_lazy(
                _("One row per item, e.g. {quantity} · pieces · surgical masks."),
                quantity=lazy(lambda: numbers.examples()["thousands"], str)(),
            ),
        )
        kwargs.setdefault("required", False)  # "at least one item" is the service's rule
        super().__init__(**kwargs)

    def to_python(self, value):
        out = []
        for n, row in enumerate(value or [], 1):
            row = {k: str(v or "").strip() for k, v in row.items()}
            if not any(row.values()):
                continue
            try:
                quantity = numbers.parse_decimal(row.get("quantity", ""))
            except numbers.NotANumber:
                raise forms.ValidationError(
                    _(
                        "Row %(n)s: “%(value)s” is not a quantity. Write thousands as %(thousands)s, decimals as %(decimals)s."
                    )
                    % {"n": n, "value": row.get("quantity", ""), **numbers.examples()}
                )
            out.append({"quantity": quantity, "unit": row.get("unit", ""), "name": row.get("name", "")})
        return out


class AidForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    donor = forms.TypedChoiceField(label=_("Donor"), coerce=int)
    status = forms.ChoiceField(label=_("Status"), choices=AidStatus.choices)
    items = AidItemsField(label=_("Items"))
    pledged_on = forms.DateField(label=_("Pledged on"), required=False, widget=DateInput)
    shipped_on = forms.DateField(label=_("Shipped on"), required=False, widget=DateInput)
    received_on = forms.DateField(label=_("Received on"), required=False, widget=DateInput)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    public = forms.BooleanField(label=_("Public"), required=False, initial=True)

    def __init__(self, *args, partnership: Partnership, **kwargs):
        super().__init__(*args, **kwargs)
        self.partnership = partnership
        self.fields["donor"].choices = host_choices(partnership)

    def aid_data(self) -> dict:
        d = self.cleaned_data
        data = {k: d[k] for k in ["title", "status", "pledged_on", "shipped_on", "received_on", "notes", "public"]}
        data["donor"] = chosen_government(self.partnership, d["donor"])
        data["items"] = d["items"]
        return data


class AidEditForm(AidForm):
    """An existing aid shipment, with the version it was read at (required, as ActivityEditForm's)."""

    version = forms.IntegerField(widget=forms.HiddenInput)


def format_items(shipment) -> list[dict]:
    """The shipment's items as the item rows show them."""
    return [
        {"quantity": numbers.format_decimal(i.quantity), "unit": i.unit, "name": i.name} for i in shipment.items.all()
    ]


class PortalFilterForm(forms.Form):
    city = GovernmentField(label=_("City or region"), required=False, in_public_partnership=True)

    country = forms.ChoiceField(label=_("Country"), required=False)
    field = forms.ChoiceField(label=_("Field"), choices=[("", _("All fields"))] + Field.choices, required=False)
    month = forms.CharField(label=_("Month"), required=False, widget=forms.DateInput(attrs={"type": "month"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from kembar.gazetteer.services import country_choices

        self.fields["country"].choices = [("", _("All countries"))] + country_choices()

    def clean_month(self):
        month = self.cleaned_data["month"].strip()
        if month:
            try:
                dt.datetime.strptime(month, "%Y-%m")
            except ValueError:
                raise forms.ValidationError(_("Give the month as YYYY-MM."))
        return month
