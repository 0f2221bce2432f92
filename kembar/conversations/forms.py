from django import forms
from django.utils.translation import gettext_lazy as _

from kembar.core.uploads import ACCEPT, DocumentField

from .models import MAX_BODY
from .vocab import Delivery


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class DocumentsField(DocumentField):
    """Several documents at once, each through the one upload check (kembar.core.uploads)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT, "multiple": True}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        if not files and self.required:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        return [super(DocumentsField, self).clean(f, initial) for f in files]


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Message"),
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Plain text. A pasted link to an activity, agreement or meeting of this partnership shows as its title."
        ),
    )
    files = DocumentsField(label=_("Documents"), required=False)


class SharingForm(forms.Form):
    shared = forms.BooleanField(label=_("Share this conversation with oversight bodies"), required=False)


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search messages"), max_length=200, required=False)


class NotificationForm(forms.Form):
    delivery = forms.ChoiceField(
        label=_("E-mail about new messages"), choices=Delivery.choices, widget=forms.RadioSelect
    )
