"""The site's own date formats (settings.FORMAT_MODULE_PATH), over Django's for each language.

Short dates read the same way in both languages and cannot be misread: "29 Feb 2020" (English
"02/29/2020" is 2 September to most partners abroad, and Indonesian "29-02-2020" looks like a
code). Only what differs from Django's formats is set here; the rest comes from Django's.
"""
