from django import forms
from django.utils.translation import gettext_lazy as _

from kembar.core import languages
from kembar.core.uploads import DocumentField
from kembar.core.widgets import DateInput
from kembar.partnerships.forms import fields_of_cooperation

from .models import Agreement, AgreementKind, ProcedureTemplate, Relation


class AgreementForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=AgreementKind.choices, initial=AgreementKind.MOU)
    title = forms.CharField(label=_("Title"), max_length=300)
    fields = fields_of_cooperation()
    signatories = forms.CharField(
        label=_("Signatories"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Who signs (or signed) for each side, one per line."),
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages of the text"),
        choices=languages.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    effective_on = forms.DateField(
        label=_("Effective from"), required=False, widget=DateInput, help_text=_("Empty: from the signing date.")
    )
    validity_years = forms.IntegerField(
        label=_("Validity (years)"),
        required=False,
        min_value=1,
        max_value=100,
        help_text=_("The end date is computed from the start and the validity."),
    )
    ends_on = forms.DateField(
        label=_("Ends on"),
        required=False,
        widget=DateInput,
        help_text=_("Only for an agreement without a validity in years."),
    )
    previous = forms.ModelChoiceField(
        label=_("Earlier agreement"),
        queryset=Agreement.objects.none(),
        required=False,
        help_text=_("The agreement of this partnership that this one follows or renews, if any."),
    )
    relation = forms.ChoiceField(
        label=_("Link to the earlier agreement"),
        choices=Relation.choices,
        initial=Relation.FOLLOWS,
        required=False,
        widget=forms.RadioSelect,
        help_text=_("Follows: the next step (an MoU after the LoI). Renews: the same agreement for a new period."),
    )

    DATA = [
        "kind",
        "title",
        "signatories",
        "languages",
        "effective_on",
        "validity_years",
        "ends_on",
        "previous",
        "relation",
    ]

    def __init__(self, *args, partnership, exclude_pk=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["previous"].queryset = (
            Agreement.objects.filter(partnership=partnership).exclude(pk=exclude_pk).order_by("-signed_on", "-id")
        )
        self.fields["previous"].label_from_instance = lambda a: f"{a.title} ({a.get_kind_display()})"

    def agreement_data(self) -> dict:
        data = {k: self.cleaned_data[k] for k in self.DATA if k in self.fields}
        if data.get("validity_years"):
            data.pop("ends_on")  # computed
        if not data.get("previous"):
            data["relation"] = ""  # no earlier agreement, no link
        return data


class AgreementCreateForm(AgreementForm):
    template = forms.ModelChoiceField(
        label=_("Procedure"), queryset=ProcedureTemplate.objects.order_by("code"), empty_label=None
    )
    field_order = ["template", "kind", "title"]


class AgreementEditForm(AgreementForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    signed_on = forms.DateField(
        label=_("Signed on"),
        required=False,
        widget=DateInput,
        help_text=_("Set when the signing stage is completed; correct it here if needed."),
    )
    DATA = AgreementForm.DATA + ["signed_on"]

    @classmethod
    def for_agreement(cls, agreement: Agreement, data=None) -> "AgreementEditForm":
        initial = {k: getattr(agreement, k) for k in [*cls.DATA, "version"]}
        initial["relation"] = agreement.relation or Relation.FOLLOWS
        initial["fields"] = [f.code for f in agreement.fields.all()]
        form = cls(data=data, initial=initial, partnership=agreement.partnership, exclude_pk=agreement.pk)
        if not agreement.signed_on:
            del form.fields["signed_on"]
        return form


class AdvanceForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    signed_on = forms.DateField(label=_("Signed on"), required=False, widget=DateInput)
    effective_on = forms.DateField(
        label=_("Effective from"), required=False, widget=DateInput, help_text=_("Empty: from the signing date.")
    )
    validity_years = forms.IntegerField(label=_("Validity (years)"), required=False, min_value=1, max_value=100)
    reason = forms.CharField(label=_("Note"), required=False, max_length=2000)


def required_reason(question: str, missing: str) -> forms.CharField:
    """The reason a step is recorded with: `question` is its label, `missing` the error without one."""
    return forms.CharField(label=question, max_length=2000, error_messages={"required": missing})


class BackForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = required_reason(
        _("Notes for the previous party: why does the file go back?"), _("Say why the procedure goes back a stage.")
    )


class RejectForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = required_reason(_("Why is the agreement rejected?"), _("Say why the agreement is rejected."))


class TerminateForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = required_reason(_("Why is the agreement terminated?"), _("Say why the agreement is terminated."))


class UploadForm(forms.Form):
    title = forms.CharField(
        label=_("Document title"),
        max_length=200,
        required=False,
        help_text=_("The same title again uploads a new version."),
    )
    file = DocumentField(label=_("File"))
