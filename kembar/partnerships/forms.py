from django import forms
from django.utils.translation import gettext_lazy as _

from kembar.accounts import permissions
from kembar.core.widgets import Autocomplete, DateInput
from kembar.gazetteer.models import Place

from . import services
from .models import LocalGovernment, Partnership
from .vocab import SDG_CHOICES, EndReason, Field, Kind, Level, Status, Trait


def fields_of_cooperation() -> forms.MultipleChoiceField:
    """The fields of cooperation as checkboxes, none required: every app's forms that have them."""
    return forms.MultipleChoiceField(
        label=_("Fields of cooperation"), choices=Field.choices, required=False, widget=forms.CheckboxSelectMultiple
    )


# More choices than this: an autocomplete instead of a select (a select of every government or
# partnership of an imported registry weighs megabytes and helps nobody).
SELECT_LIMIT = 200


def _government_label(value) -> str:
    g = value if isinstance(value, LocalGovernment) else None
    if g is None and str(value).isdigit():
        g = LocalGovernment.objects.filter(pk=int(value)).first()
    return f"{g.name}, {g.country_code}" if g else ""


def _partnership_label(value) -> str:
    p = value if isinstance(value, Partnership) else None
    if p is None and str(value).isdigit():
        p = Partnership.objects.select_related("government_a", "government_b").filter(pk=int(value)).first()
    return str(p) if p else ""


def government_widget(*, in_public_partnership: bool = False, multiple: bool = False) -> Autocomplete:
    return Autocomplete(
        "partnerships:government_suggestions",
        params={"public": "1"} if in_public_partnership else None,
        label=_government_label,
        placeholder=_("Type a name: Bandung, Kyoto, 京都…"),
        multiple=multiple,
    )


class GovernmentField(forms.ModelChoiceField):
    """One registered local government (of `queryset`, by default all of them), picked with
    core's Autocomplete widget. A name typed without picking a suggestion is looked up as
    `kembar partners` does (NAME or NAME,CC); an unknown or ambiguous one is refused with the
    candidates. `in_public_partnership`: only governments of a public partnership (what the
    public portal can filter by)."""

    default_error_messages = {"invalid_choice": _("Choose a government from the suggestions.")}

    def __init__(self, queryset=None, *, in_public_partnership: bool = False, **kwargs):
        queryset = LocalGovernment.objects.select_related("place") if queryset is None else queryset
        if in_public_partnership:
            queryset = services.in_public_partnerships(queryset)
        kwargs.setdefault("widget", government_widget(in_public_partnership=in_public_partnership))
        super().__init__(queryset, **kwargs)

    def prepare_value(self, value):
        return str(value.pk) if isinstance(value, LocalGovernment) else value

    def to_python(self, value):
        text = getattr(value, "text", "")
        if value in self.empty_values and text:
            return self._by_name(text)
        return super().to_python(value)

    def _by_name(self, text: str) -> LocalGovernment:
        try:
            government = services.resolve_government(text)
        except services.GovernmentLookupError as error:
            message = services.government_lookup_message(error, inline=True)
            raise forms.ValidationError(message, code="invalid_choice") from None
        if not self.queryset.filter(pk=government.pk).exists():
            raise forms.ValidationError(
                _("%(name)s cannot be chosen here.") % {"name": government.name}, code="invalid_choice"
            )
        return government


class GovernmentsField(forms.ModelMultipleChoiceField):
    """Several governments of `queryset`, each picked with core's Autocomplete widget."""

    default_error_messages = {"invalid_choice": _("Choose the governments from the suggestions.")}

    def __init__(self, queryset, **kwargs):
        kwargs.setdefault("widget", government_widget(multiple=True))
        super().__init__(queryset, **kwargs)


class PartnershipField(forms.ModelChoiceField):
    """One partnership of `queryset`, picked with core's Autocomplete widget by either side's name."""

    default_error_messages = {"invalid_choice": _("Choose a partnership from the suggestions.")}

    def __init__(self, queryset, **kwargs):
        kwargs.setdefault(
            "widget",
            Autocomplete(
                "partnerships:suggestions", label=_partnership_label, placeholder=_("Type either partner's name…")
            ),
        )
        super().__init__(queryset, **kwargs)

    def prepare_value(self, value):
        return str(value.pk) if isinstance(value, Partnership) else value


def choose_among(form, name: str, queryset) -> None:
    """Let the form's model choice field `name` choose among `queryset`: a select while there are
    at most SELECT_LIMIT choices (an office's own few), an autocomplete beyond (a platform
    administrator choosing among every government or partnership). One COUNT query."""
    field = form.fields[name]
    if queryset.count() <= SELECT_LIMIT:
        field.queryset = queryset
        return
    model = queryset.model
    options = {"label": field.label, "required": field.required, "help_text": field.help_text}
    if isinstance(field, forms.ModelMultipleChoiceField):
        form.fields[name] = GovernmentsField(queryset, **options)
    elif model is Partnership:
        form.fields[name] = PartnershipField(queryset, **options)
    else:
        form.fields[name] = GovernmentField(queryset, **options)


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

    @staticmethod
    def initial_from_link(query) -> dict:
        """Initial values a link may give (a suggested partner's "Propose a partnership"):
        our government, the partner's place and level, the status. Anything else, or a value
        out of its choices, is ignored; the form checks the rest when it is sent."""
        initial: dict = {}
        for key in ("government", "partner_place"):
            value = query.get(key, "")
            if value.isdigit() and len(value) < 19:
                initial[key] = int(value)
        if query.get("partner_level") in Level.values:
            initial["partner_level"] = query["partner_level"]
        if query.get("status") in Status.values:
            initial["status"] = query["status"]
        return initial


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
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = LocalGovernment
        fields = ["name", "traits", "sdg_priorities", "contact_email", "contact_phone", "website", "address"]
        widgets = {"address": forms.Textarea(attrs={"rows": 2})}


class ConfirmForm(forms.Form):
    """Confirm one partnership as recorded (the version it was read at)."""

    version = forms.IntegerField(widget=forms.HiddenInput)


class ConfirmManyForm(forms.Form):
    """The office's imported partnerships ticked for confirmation."""

    partnerships = forms.ModelMultipleChoiceField(
        queryset=Partnership.objects.none(), widget=forms.CheckboxSelectMultiple, label=_("Partnerships")
    )

    def __init__(self, *args, queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partnerships"].queryset = queryset


class CloseForm(forms.Form):
    """Close a partnership: it ended, or it was never formalised."""

    end_reason = forms.ChoiceField(label=_("Why"), choices=EndReason.choices, widget=forms.RadioSelect)
    end_note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=500,
        help_text=_("What you know: when it ended, who decided, where it is recorded."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)
