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


# Words (as keys) that name the kind of government rather than the place: "Kyoto Prefecture",
# "City of Cape Town", "Gangbuk-gu", "Shandong Sheng". A REGION word means the name is of a
# county, district, province or state, which is a different government from a namesake town
# ("Los Angeles County" is not Los Angeles; "Herford (district)" is not the town of Herford);
# a LOCAL word only says how the town is governed ("Cebu City", "Ota-ku").
REGION = "region"
LOCAL = "local"
_ADMIN_SUFFIXES = {
    REGION: [
        "autonomous region",
        "autonomous province",
        "autonomous oblast",
        "autonomous okrug",
        "rural gmina",
        "rural district",
        "rural municipality",
        "regional municipality",
        "regional unit",
        "regional district",
        "county council",
        "district council",
        "province",
        "provincia",
        "prefecture",
        "state",
        "region",
        "regione",
        "oblast",
        "krai",
        "kray",
        "okrug",
        "county",
        "comte",
        "district",
        "raion",
        "rayon",
        "governorate",
        "department",
        "departement",
        "departamento",
        "canton",
        "kanton",
        "voivodeship",
        "voivodship",
        "aimag",
        "aimak",
        "landkreis",
        "kreis",
        "powiat",
        "regency",
        "kabupaten",
        "sheng",
        "zizhiqu",
        "ken",
        "fu",
        "do",
        "gun",
        "xian",
        "microregion",
        "subregion",
    ],
    LOCAL: [
        "metropolitan city",
        "special city",
        "metropolitan borough",
        "urban gmina",
        "urban municipality",
        "city council",
        "town council",
        "municipal council",
        "city",
        "town",
        "municipality",
        "municipal",
        "borough",
        "township",
        "village",
        "commune",
        "gmina",
        "ciudad",
        "ville",
        "stadt",
        "gemeinde",
        "shi",
        "si",
        "gu",
        "ku",
        "qu",
        "cho",
        "machi",
        "mura",
        "son",
        "to",
        "zhen",
        "xiang",
        "eup",
        "myeon",
    ],
}
_ADMIN_PREFIXES = {
    REGION: [
        "province of",
        "provincia de",
        "provincia di",
        "county of",
        "state of",
        "region of",
        "district of",
        "canton of",
        "prefecture of",
        "departamento de",
        "departement de",
        "regency of",
        "shire of",
        "kabupaten",
        "landkreis",
        "kreis",
        "powiat",
        "oblast",
        "provinsi",
    ],
    LOCAL: [
        "london borough of",
        "royal borough of",
        "metropolitan borough of",
        "county borough of",
        "city and county of",
        "city of",
        "town of",
        "municipality of",
        "borough of",
        "village of",
        "township of",
        "municipio de",
        "municipio",
        "ciudad de",
        "ville de",
        "comune di",
        "commune de",
        "gmina",
        "miasto",
        "kota",
        "stadt",
        "gemeinde",
    ],
}
# What is left after stripping must still name something on its own.
_WEAK_CORES = {
    "old",
    "new",
    "north",
    "south",
    "east",
    "west",
    "central",
    "upper",
    "lower",
    "greater",
    "inner",
    "outer",
    "san",
    "santa",
    "saint",
    "st",
    "la",
    "le",
    "el",
    "great",
    "little",
    "big",
    "the",
}


_SUFFIXES = {word: kind for kind, words in _ADMIN_SUFFIXES.items() for word in words}
_PREFIXES = {word: kind for kind, words in _ADMIN_PREFIXES.items() for word in words}
ADMIN_PHRASES = {**_SUFFIXES, **_PREFIXES}
_LONGEST = max(len(word.split()) for word in ADMIN_PHRASES)
_PREFIX_FIRST_WORDS = {word.split()[0] for word in _PREFIXES}
_SUFFIX_LAST_WORDS = {word.split()[-1] for word in _SUFFIXES}


def core_key(key: str) -> tuple[str, str | None]:
    """A name key without the words naming its kind of government, and that kind.

    "kyoto prefecture" -> ("kyoto", REGION), "city of cape town" -> ("cape town", LOCAL),
    "gangbuk gu" -> ("gangbuk", LOCAL), "bandung" -> ("bandung", None). REGION wins when both
    kinds are stripped. After a leading phrase nothing more is stripped ("City of Cape Town"
    is Cape Town); a core too weak to name a place alone ("old" from "Old Town") is not cut.
    """
    core, kind, _words = admin_split(key)
    return core, kind


def admin_split(key: str) -> tuple[str, str | None, tuple[str, ...]]:
    """Like core_key, plus the phrases stripped ("moshi rural district" -> (..., ("rural district",)))."""
    words = key.split(" ")
    if words[0] not in _PREFIX_FIRST_WORDS and words[-1] not in _SUFFIX_LAST_WORDS:
        return key, None, ()
    for n in range(min(_LONGEST, len(words) - 1), 0, -1):
        phrase = " ".join(words[:n])
        kind = _PREFIXES.get(phrase)
        if kind:
            core = " ".join(words[n:])
            if _strong(core):
                return core, kind, (phrase,)
            break
    kind = None
    stripped: list[str] = []
    for _ in range(2):
        for n in range(min(_LONGEST, len(words) - 1), 0, -1):
            phrase = " ".join(words[-n:])
            word_kind = _SUFFIXES.get(phrase)
            if word_kind:
                break
        else:
            break
        core = " ".join(words[:-n])
        if not _strong(core):
            break
        words = words[:-n]
        stripped.append(phrase)
        kind = REGION if REGION in (kind, word_kind) else word_kind
    return " ".join(words), kind, tuple(stripped)


def _strong(core: str) -> bool:
    return len(core) >= 3 and core not in _WEAK_CORES


_PARENTHESES = re.compile(r"^(?P<base>[^()]*?)\s*\((?P<inner>[^()]*)\)\s*(?P<rest>.*)$")
_DASH = re.compile(r"\s+[–—-]\s+")


def name_parts(name: str) -> tuple[list[str], list[str]]:
    """Split a name as twinning lists write it into the names it may stand for, and its qualifiers.

    Returns (names, qualifiers), the names most specific first:
    "Gangbuk (Seoul)" -> (["Gangbuk"], ["Seoul"]); "Herford (district)" -> (["Herford district"], []);
    "Tokyo – Ōta" -> (["Ōta"], ["Tokyo"]); "Bayside, New South Wales" -> (["Bayside"],
    ["New South Wales"]); "Bozen/Bolzano" -> (["Bozen", "Bolzano"], []).
    A parenthesised word that names a kind of government is kept as part of the name (so
    core_key can see it); any other one is a parent city, region or river.
    """
    text = " ".join((name or "").split())
    names: list[str] = []
    qualifiers: list[str] = []
    match = _PARENTHESES.match(text)
    if match:
        inner = match["inner"].strip()
        base = " ".join(filter(None, [match["base"].strip(), match["rest"].strip()]))
        if name_key(inner) in ADMIN_PHRASES:
            text = f"{base} {inner}"
        elif base:
            text = base
            qualifiers.append(inner)
    if _DASH.search(text):
        parts = [p for p in _DASH.split(text) if p.strip()]
        if parts:
            names.append(parts[-1])
            qualifiers.extend(parts[:-1])
    elif "," in text:
        head, *tail = [p.strip() for p in text.split(",")]
        if head:
            names.append(head)
            qualifiers.extend(t for t in tail if t)
    elif "/" in text:
        names.extend(p.strip() for p in text.split("/") if p.strip())
    if not names:
        names.append(text)
    return names, qualifiers
