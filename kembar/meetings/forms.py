import datetime as dt

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kembar.core import languages, times
from kembar.core.uploads import DocumentField
from kembar.core.widgets import DateInput, DateTimeLocalInput, TimeInput
from kembar.partnerships.forms import choose_among, fields_of_cooperation
from kembar.partnerships.models import LocalGovernment, Partnership
from kembar.partnerships.vocab import SDG_CHOICES, Field

from .models import ActionItem, Meeting


class SlotSearchForm(forms.Form):
    partnership = forms.ModelChoiceField(
        label=_("Partnership"), queryset=Partnership.objects.none(), empty_label=_("Choose a partnership")
    )
    start = forms.DateField(label=_("From"), widget=DateInput)
    end = forms.DateField(label=_("To"), widget=DateInput)
    duration = forms.IntegerField(label=_("Duration (minutes)"), initial=60, min_value=15, max_value=720)
    also = forms.ModelMultipleChoiceField(
        label=_("Further partner cities"),
        queryset=LocalGovernment.objects.none(),
        required=False,
        help_text=_("For a multilateral meeting: other partners of our government."),
    )

    def __init__(self, *args, partnerships, leave_out=(), **kwargs):
        super().__init__(*args, **kwargs)
        choose_among(self, "partnership", partnerships)
        choose_among(self, "also", partner_governments(partnerships, leave_out))


def partner_governments(partnerships, leave_out=()):
    """Every government on either side of these partnerships, by name, but those `leave_out`
    (the office's own, and the meeting's two partners: no "further" partner city)."""
    sides = partnerships.order_by()
    return (
        LocalGovernment.objects.filter(Q(pk__in=sides.values("government_a")) | Q(pk__in=sides.values("government_b")))
        .exclude(pk__in=list(leave_out))
        .order_by("name")
    )


START_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%d %H:%M"]


def typed_in_zone(wall: dt.datetime, zone: str) -> dt.datetime:
    """The UTC moment of a wall-clock time typed in `zone`; ValueError for a time the clocks skip
    (02:30 on the night daylight saving starts). A time that occurs twice is the first."""
    tz = times.zone_of(zone)
    moment = wall.replace(tzinfo=tz).astimezone(dt.UTC)
    if moment.astimezone(tz).replace(tzinfo=None) != wall:
        raise ValueError(wall)
    return moment


class MeetingForm(forms.Form):
    """The start is typed as the local time of a partner's zone (the organising office's unless
    the officer picks the other's) and stored in UTC; `cleaned_data["start"]` is that moment."""

    title = forms.CharField(label=_("Title"), max_length=200)
    start = forms.DateTimeField(
        label=_("Start"),
        input_formats=START_FORMATS,
        widget=DateTimeLocalInput,
        help_text=_("Local time in the time zone below."),
    )
    zone = forms.ChoiceField(
        label=_("Time zone"),
        required=False,
        help_text=_("Your office's zone unless you choose the partner's; each side sees the meeting in its own."),
    )
    duration = forms.IntegerField(label=_("Duration (minutes)"), initial=60, min_value=15, max_value=720)
    video_link = forms.URLField(label=_("Video link"), required=False, assume_scheme="https")
    agenda = forms.CharField(
        label=_("Agenda"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One agenda item per line."),
    )
    extra_governments = forms.ModelMultipleChoiceField(
        label=_("Further partner cities"),
        queryset=LocalGovernment.objects.none(),
        required=False,
        help_text=_("For a multilateral meeting: other partners of our government."),
    )

    def __init__(self, *args, partnerships=None, leave_out=(), zones=(), default_zone: str = "UTC", **kwargs):
        super().__init__(*args, **kwargs)
        self.default_zone = default_zone
        self.fields["zone"].choices = list(zones) or [(default_zone, default_zone)]
        self.fields["zone"].initial = default_zone
        if partnerships is not None:
            choose_among(self, "extra_governments", partner_governments(partnerships, leave_out))

    def clean_start(self):
        """The time as typed (the field made it aware in the viewer's zone: undo that)."""
        value = self.cleaned_data["start"]
        if value.tzinfo is not None:
            value = timezone.localtime(value).replace(tzinfo=None)
        return value

    def clean(self):
        data = super().clean()
        zone = data.get("zone") or self.default_zone
        data["zone"] = zone
        if data.get("start") is not None:
            try:
                data["start"] = typed_in_zone(data["start"], zone)
            except ValueError:
                self.add_error(
                    "start",
                    _("%(time)s does not exist in %(zone)s: the clocks skip it. Give a time after the change.")
                    % {"time": data["start"].strftime("%Y-%m-%d %H:%M"), "zone": zone},
                )
        return data

    def meeting_data(self) -> dict:
        """What the meeting services take (the zone was only for reading the start)."""
        return {k: v for k, v in self.cleaned_data.items() if k != "zone"}


class MeetingEditForm(MeetingForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(label=_("Status"), choices=Meeting.Status.choices)

    field_order = ["title", "start", "zone", "duration", "status", "video_link", "agenda", "extra_governments"]


class MinutesForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    minutes = forms.CharField(label=_("Minutes"), widget=forms.Textarea(attrs={"rows": 8}))
    decisions = forms.CharField(
        label=_("Decisions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One decision per line."),
    )


def _sides(field: forms.ModelChoiceField, governments) -> None:
    """The meeting's governments as the field's choices, from the objects the page has already
    loaded (by name, as the queryset orders them): rendering the form costs no query (a
    ModelChoiceField queries its choices twice); a submitted side is still looked up among them."""
    unique = {g.pk: g for g in governments}
    field.queryset = LocalGovernment.objects.filter(pk__in=list(unique))
    field.choices = [
        (g.pk, field.label_from_instance(g)) for g in sorted(unique.values(), key=lambda g: (g.name, g.pk))
    ]


class ParticipantForm(forms.Form):
    government = forms.ModelChoiceField(label=_("Side"), queryset=LocalGovernment.objects.none(), empty_label=None)
    name = forms.CharField(label=_("Name"), max_length=200)
    email = forms.EmailField(label=_("E-mail"), required=False)

    def __init__(self, *args, governments, **kwargs):
        super().__init__(*args, **kwargs)
        _sides(self.fields["government"], governments)


class ActionItemForm(forms.Form):
    text = forms.CharField(label=_("Action"), max_length=500)
    owner = forms.CharField(label=_("Owner"), max_length=200)
    government = forms.ModelChoiceField(label=_("Side"), queryset=LocalGovernment.objects.none(), empty_label=None)
    due = forms.DateField(label=_("Due date"), widget=DateInput)

    def __init__(self, *args, governments, **kwargs):
        super().__init__(*args, **kwargs)
        _sides(self.fields["government"], governments)


class ActionStatusForm(forms.Form):
    status = forms.ChoiceField(choices=ActionItem.Status.choices)


class AttachmentForm(forms.Form):
    file = DocumentField(label=_("Document"))


class OfficeHoursForm(forms.Form):
    start = forms.TimeField(label=_("Office hours start"), widget=TimeInput)
    end = forms.TimeField(label=_("Office hours end"), widget=TimeInput)

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] <= data["start"]:
            self.add_error("end", _("Office hours must end after they start."))
        return data


class LibraryItemForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    government = forms.ModelChoiceField(label=_("Shared by"), queryset=LocalGovernment.objects.none(), empty_label=None)
    partnership = forms.ModelChoiceField(
        label=_("Partnership"),
        queryset=Partnership.objects.none(),
        required=False,
        help_text=_("Leave empty to share with the whole platform (public)."),
    )
    summary = forms.CharField(label=_("Summary or note"), required=False, widget=forms.Textarea(attrs={"rows": 5}))
    language = forms.ChoiceField(label=_("Language"), choices=languages.choices)
    fields = fields_of_cooperation()
    sdgs = forms.TypedMultipleChoiceField(
        label=_("SDGs"), choices=SDG_CHOICES, coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    public = forms.BooleanField(
        label=_("Public"), required=False, help_text=_("Shown in the platform-wide library to everyone.")
    )
    file = DocumentField(label=_("Document"), required=False)

    def __init__(self, *args, governments, partnerships, **kwargs):
        super().__init__(*args, **kwargs)
        choose_among(self, "government", governments)
        choose_among(self, "partnership", partnerships)


class LibrarySearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    field = forms.ChoiceField(label=_("Field"), choices=[("", _("All fields"))] + Field.choices, required=False)
    sdg = forms.TypedChoiceField(
        label=_("SDG"), choices=[("", _("All SDGs"))] + SDG_CHOICES, coerce=int, required=False, empty_value=None
    )
