"""The site's own date formats (settings.FORMAT_MODULE_PATH), over Django's for each language.

Short dates cannot be misread: "29 Feb 2020" in Bahasa Indonesia and English (English
"02/29/2020" is 2 September to most partners abroad, and Indonesian "29-02-2020" looks like a
code), "2020年2月29日" in Japanese. Only what differs from Django's formats is set here; the rest
comes from Django's. Besides Django's names, each language's module has kembar's own patterns
(moments and spans of `kembar.core.times`, ranges of days), read with `pattern(name)`; pages use
the named formats (`|date:"SHORT_DATE_FORMAT"`), never a literal "j M Y" that fits one language.
"""

from django.utils import formats, translation


def pattern(name: str, language: str | None = None) -> str:
    """The active language's date pattern `name`: one of Django's (`SHORT_DATE_FORMAT`) or one of
    kembar's own that the date filter cannot look up (`MOMENT_FORMAT`, `RANGE_SAME_MONTH`, …),
    from the first module that has it (this package's, then Django's), else English's."""
    for code in (language or translation.get_language() or "en", "en"):
        for module in formats.get_format_modules(code):
            if hasattr(module, name):
                return getattr(module, name)
    return formats.get_format(name)
