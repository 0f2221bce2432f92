"""The browser's own date and time pickers. Their value is always written in ISO form
(2026-12-06, 08:00, 2026-12-06T08:00), whatever the page's language: a localised value such as
"06-12-2026" is rejected by the browser, which then shows an empty field — and saving the form
unchanged would erase the date."""

import html

from django import forms
from django.utils.safestring import mark_safe


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


class Typed(str):
    """An autocomplete's value: the picked suggestion's value (this string, "" if none was
    picked) and the text typed in the search box (`text`), which a field may resolve itself
    when nothing was picked (a browser without JavaScript, or Enter pressed too soon)."""

    text: str

    def __new__(cls, value: str = "", text: str = "") -> "Typed":
        obj = super().__new__(cls, value)
        obj.text = text
        return obj


class Autocomplete(forms.Widget):
    """A search box with suggestions instead of a select: for a choice among thousands
    (governments, provinces), where a select would weigh megabytes and be of no use.

    Typing asks `source` (a URL, or the name of one) for suggestions (htmx, `q` is the text);
    picking one (kembar/static/kembar/app.js) writes its value in a hidden input that carries
    the field's name, and its label in the box. The box itself submits as `<name>_q`.
    `label(value)` gives the text shown for an initial value (a government's name).
    """

    template_name = "components/autocomplete.html"

    def __init__(
        self, source: str = "", *, params=None, label=None, placeholder: str = "", multiple: bool = False, attrs=None
    ):
        super().__init__(attrs=attrs)
        self.source = source
        self.params = params or {}
        self.label = label
        self.placeholder = placeholder
        self.multiple = multiple  # each pick adds a value (shown with a button that removes it)

    def value_from_datadict(self, data, files, name):
        if self.multiple:
            getlist = getattr(data, "getlist", lambda key: data.get(key) or [])
            return [v for v in getlist(name) if v]
        return Typed((data.get(name) or "").strip(), (data.get(f"{name}_q") or "").strip())

    def value_omitted_from_data(self, data, files, name):
        return name not in data and f"{name}_q" not in data

    def format_value(self, value):
        if self.multiple:
            return value
        return "" if value in (None, "") else str(value)

    def get_context(self, name, value, attrs):
        from urllib.parse import urlencode

        from django.urls import NoReverseMatch, reverse

        context = super().get_context(name, value, attrs)
        if self.multiple:
            values = value if isinstance(value, list | tuple) else ([] if value in (None, "") else [value])
            picked = [(str(getattr(v, "pk", v)), self.label(v) if self.label else str(v)) for v in values]
            text = ""
        else:
            picked = []
            text = getattr(value, "text", "")
            if value not in (None, "") and self.label is not None:
                text = self.label(value) or text
        try:
            url = reverse(self.source)
        except NoReverseMatch:
            url = self.source
        if self.params:
            url += "?" + urlencode(self.params)
        context["widget"].update(
            source_url=url, text=text, placeholder=self.placeholder, multiple=self.multiple, picked=picked
        )
        return context


class Rows(forms.Widget):
    """A table of rows of a few inputs each (an aid shipment's items: quantity, unit,
    description), with buttons that add and remove rows (kembar/static/kembar/app.js; without
    JavaScript the blank rows are there to fill). The value is a list of dicts, one per row,
    keyed by the columns' keys; a column is a dict: key, label, and optionally type, inputmode,
    step, min, class. `blank_rows` follow the filled ones, `empty_rows` are shown when there is
    none; `attrs["class"]` is added to the table's (`rows-single`: one narrow column)."""

    template_name = "components/rows.html"

    def __init__(
        self, columns: list[dict], *, add_label: str = "", blank_rows: int = 1, empty_rows: int = 3, attrs=None
    ):
        super().__init__(attrs=attrs)
        self.columns = columns
        self.add_label = add_label
        self.blank_rows = blank_rows
        self.empty_rows = empty_rows

    def value_from_datadict(self, data, files, name):
        getlist = getattr(data, "getlist", lambda key: data.get(key) or [])
        lists = [getlist(f"{name}_{c['key']}") for c in self.columns]
        length = max((len(values) for values in lists), default=0)
        return [
            {c["key"]: (values[i] if i < len(values) else "") for c, values in zip(self.columns, lists)}
            for i in range(length)
        ]

    def value_omitted_from_data(self, data, files, name):
        return not any(f"{name}_{c['key']}" in data for c in self.columns)

    def format_value(self, value):
        return value

    def _row(self, name, values: dict) -> list[dict]:
        return [
            {**c, "name": f"{name}_{c['key']}", "value": "" if values.get(c["key"]) is None else values[c["key"]]}
            for c in self.columns
        ]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        rows = [self._row(name, v) for v in (value or []) if isinstance(v, dict)]
        blanks = self.blank_rows if rows else max(self.blank_rows, self.empty_rows)
        rows += [self._row(name, {}) for _ in range(blanks)]
        context["widget"].update(columns=self.columns, rows=rows, blank=self._row(name, {}), add_label=self.add_label)
        return context


def _escape(value) -> str:
    """conditional_escape without its lazy-text check (a tenth of the cost, per option)."""
    return value.__html__() if hasattr(value, "__html__") else html.escape(str(value))


def _attrs(attrs: dict) -> str:
    """Django's widgets/attrs.html in Python: False left out, True bare, the rest as text."""
    return "".join(
        f" {_escape(name)}" if value is True else f' {_escape(name)}="{_escape(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


class Select(forms.Select):
    """Django's select, with the same markup, written in Python rather than one template per
    option: a filter's select of the 250 countries costs well under a millisecond instead of
    several on every request of a list page."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [f'<select name="{_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(f'  <optgroup label="{_escape(group_name)}">')
            parts.extend(
                f'  <option value="{_escape(option["value"])}"{_attrs(option["attrs"])}>{_escape(option["label"])}</option>'
                for option in options
            )
            if group_name:
                parts.append("  </optgroup>")
        parts.append("</select>")
        return mark_safe("\n".join(parts))  # noqa: S308 - every value in it is escaped
