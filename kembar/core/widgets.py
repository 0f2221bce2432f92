"""The browser's own date and time pickers. Their value is always written in ISO form
(2026-12-06, 08:00, 2026-12-06T08:00), whatever the page's language: a localised value such as
"06-12-2026" is rejected by the browser, which then shows an empty field — and saving the form
unchanged would erase the date."""

from django import forms


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%H:%M")


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")
