"""Name keys: one spelling-insensitive form for every name in every script.

"京都市", "Kyōto-shi" and "KYOTO SHI" must meet in one index, so a key is the name
transliterated to ASCII (Unidecode), lower-cased, with punctuation folded to single spaces.
"""
import re

from unidecode import unidecode

_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_APOSTROPHES = re.compile(r"['’ʻʼ`´]")


def name_key(name: str) -> str:
    """The search and matching key of a name: ASCII, lower case, words separated by one space."""
    text = unidecode(name or "").lower()
    text = _APOSTROPHES.sub("", text)
    text = text.replace("&", " and ")
    return _NON_ALNUM.sub(" ", text).strip()


def prefix_upper_bound(key: str) -> str:
    """The smallest string greater than every string starting with `key`.

    Prefix search is written as `key >= q AND key < bound`, which any database answers
    from a plain B-tree index (LIKE 'q%' does not on SQLite without a NOCASE column).
    """
    return key[:-1] + chr(ord(key[-1]) + 1) if key else key
