"""Countries written any common way → ISO 3166-1 alpha-2 codes, and codes → names.

Plain Python (pycountry), no Django: the importer, the API, the pages and the matchmaking
evaluation read countries through this one table. Only `country_name` asks Django (for the
active language).
"""

from __future__ import annotations

import gettext
import re
from functools import cache, lru_cache

import pycountry
from django.utils.translation import get_language

from .normalise import name_key

# Country spellings found in real twinning lists that ISO 3166 does not use.
COUNTRY_ALIASES = {
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    "united kingdom": "GB",
    "uk": "GB",
    "great britain": "GB",
    "britain": "GB",
    "usa": "US",
    "united states": "US",
    "united states of america": "US",
    "us": "US",
    "russia": "RU",
    "south korea": "KR",
    "korea": "KR",
    "republic of korea": "KR",
    "north korea": "KP",
    "taiwan": "TW",
    "republic of china": "TW",
    "china": "CN",
    "peoples republic of china": "CN",
    "vietnam": "VN",
    "iran": "IR",
    "syria": "SY",
    "laos": "LA",
    "moldova": "MD",
    "bolivia": "BO",
    "venezuela": "VE",
    "tanzania": "TZ",
    "czech republic": "CZ",
    "czechia": "CZ",
    "ivory coast": "CI",
    "cote divoire": "CI",
    "macedonia": "MK",
    "north macedonia": "MK",
    "republic of macedonia": "MK",
    "kosovo": "XK",
    "palestine": "PS",
    "state of palestine": "PS",
    "vatican city": "VA",
    "vatican": "VA",
    "holy see": "VA",
    "brunei": "BN",
    "cape verde": "CV",
    "swaziland": "SZ",
    "eswatini": "SZ",
    "east timor": "TL",
    "timor leste": "TL",
    "burma": "MM",
    "myanmar": "MM",
    "turkey": "TR",
    "turkiye": "TR",
    "the netherlands": "NL",
    "netherlands": "NL",
    "holland": "NL",
    "the gambia": "GM",
    "gambia": "GM",
    "the bahamas": "BS",
    "bahamas": "BS",
    "republic of the congo": "CG",
    "congo": "CG",
    "congo brazzaville": "CG",
    "democratic republic of the congo": "CD",
    "dr congo": "CD",
    "congo kinshasa": "CD",
    "georgia country": "GE",
    "georgia": "GE",
    "micronesia": "FM",
    "federated states of micronesia": "FM",
    "sao tome and principe": "ST",
    "saint kitts and nevis": "KN",
    "saint lucia": "LC",
    "saint vincent and the grenadines": "VC",
    "republic of ireland": "IE",
    "ireland": "IE",
    "faroe islands": "FO",
    "greenland": "GL",
    "northern cyprus": "CY",
    "transnistria": "MD",
    "abkhazia": "GE",
    "south ossetia": "GE",
    "artsakh": "AZ",
    "nagorno karabakh republic": "AZ",
    "somaliland": "SO",
    "western sahara": "EH",
    "sahrawi arab democratic republic": "EH",
    "hong kong": "HK",
    "macau": "MO",
    "macao": "MO",
    "puerto rico": "PR",
    "guam": "GU",
    "bosnia": "BA",
    "bosnia and herzegovina": "BA",
    "trinidad": "TT",
    "antigua": "AG",
    "the philippines": "PH",
    "slovak republic": "SK",
    "kyrgyz republic": "KG",
    "lao pdr": "LA",
    "curacao": "CW",
    "aruba": "AW",
    "new caledonia": "NC",
    "french polynesia": "PF",
    "reunion": "RE",
    "martinique": "MQ",
    "guadeloupe": "GP",
    "french guiana": "GF",
    "isle of man": "IM",
    "jersey": "JE",
    "guernsey": "GG",
    "gibraltar": "GI",
    "bermuda": "BM",
    "falkland islands": "FK",
    "west bank": "PS",
    "gaza strip": "PS",
    "american samoa": "AS",
    "aland": "AX",
    "aland islands": "AX",
    "st kitts and nevis": "KN",
    "st lucia": "LC",
    # misspellings and other languages' names seen in real lists
    "bosnia and hercegovina": "BA",
    "moldavia": "MD",
    "surinam": "SR",
    "madagaskar": "MG",
    "grece": "GR",
    "kazakhstah": "KZ",
    "island": "IS",
    # Indonesian names officers write besides the catalogue's and INDONESIAN_NAMES
    "cina": "CN",
    "rrt": "CN",
    "inggris": "GB",
    "amerika": "US",
    "korsel": "KR",
    "republik ceko": "CZ",
}


# Country names in Bahasa Indonesia where Indonesian usage (the foreign ministry's list, KBBI
# spelling) differs from pycountry's Indonesian catalogue: "Tiongkok", not "Cina", since
# Keppres 12/2014; short names, not "Federasi Rusia" or "Iran, Republik Islam". Shown in
# Indonesian pages, and read as countries like every name of the catalogue ("Kyoto, Jepang").
INDONESIAN_NAMES = {
    "CN": "Tiongkok",
    "RU": "Rusia",
    "IR": "Iran",
    "SY": "Suriah",
    "LA": "Laos",
    "MD": "Moldova",
    "BO": "Bolivia",
    "VE": "Venezuela",
    "PS": "Palestina",
    "CZ": "Ceko",
    "FM": "Mikronesia",
    "VA": "Vatikan",
    "ET": "Etiopia",
    "DJ": "Jibuti",
    "CV": "Tanjung Verde",
    "CG": "Kongo",
    "CD": "Republik Demokratik Kongo",
    "FR": "Prancis",
    "GF": "Guyana Prancis",
    "PF": "Polinesia Prancis",
    "TF": "Wilayah Selatan Prancis",
    "BQ": "Bonaire, Sint Eustatius, dan Saba",
    "TL": "Timor-Leste",
}


# Territories with their own ISO code that lists write before their sovereign state
# ("Réunion, France", "Åland Islands, Finland"); GeoNames files their towns under that code.
DEPENDENT_TERRITORIES = {
    "AX",
    "GP",
    "MQ",
    "RE",
    "GF",
    "YT",
    "NC",
    "PF",
    "PM",
    "BL",
    "MF",
    "WF",
    "FO",
    "GL",
    "PR",
    "GU",
    "AS",
    "VI",
    "MP",
    "HK",
    "MO",
    "IM",
    "JE",
    "GG",
    "GI",
    "BM",
    "AW",
    "CW",
    "SX",
    "BQ",
    "KY",
    "VG",
    "AI",
    "MS",
    "TC",
    "FK",
    "SH",
    "PN",
    "CK",
    "NU",
    "TK",
    "NF",
    "CX",
    "CC",
}


@lru_cache(maxsize=4096)
def country_code(text: str) -> str | None:
    """ISO 3166-1 alpha-2 code for a country written any common way, or None.

    Handles "Georgia (country)", plain codes ("ID", "IDN"), common misspellings, and a
    country after a region: in "England, United Kingdom" or "Ohio, United States" the last
    part that is a country wins ("Georgia, United States" is in the US), except a dependent
    territory written before its sovereign ("Réunion, France" is RE).
    """
    if not text:
        return None
    raw = text.strip()
    code = _one_country(raw)
    if code:
        return code
    parts = [p.strip() for p in re.split(r"[,/]", raw) if p.strip()]
    codes = [_one_country(part) for part in parts]
    if len(parts) > 1 and codes[0] in DEPENDENT_TERRITORIES:
        return codes[0]
    found = [c for c in codes if c]
    return found[-1] if found else None


def _one_country(text: str) -> str | None:
    raw = text.strip()
    if not raw:
        return None
    if len(raw) == 2 and raw.isalpha() and pycountry.countries.get(alpha_2=raw.upper()):
        return raw.upper()
    if raw.upper() == "XK":
        return "XK"
    key = name_key(raw)
    if "(" in raw:
        key = re.sub(r"\b(country|state)\b", "", key).strip()
    key = re.sub(r"^in ", "", key)
    if key in COUNTRY_ALIASES:
        return COUNTRY_ALIASES[key]
    try:
        return pycountry.countries.lookup(raw).alpha_2
    except LookupError:
        pass
    return _country_keys().get(key)


@lru_cache(maxsize=1)
def _country_keys() -> dict[str, str]:
    """Every name of every country in English, then in Bahasa Indonesia (pycountry's catalogue
    and INDONESIAN_NAMES); an English name keeps its country where the two would differ."""
    keys: dict[str, str] = {}
    for country in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            value = getattr(country, attr, "")
            if value:
                keys.setdefault(name_key(value), country.alpha_2)
    indonesian = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["id"], fallback=True)
    for country in pycountry.countries:
        keys.setdefault(name_key(indonesian.gettext(country.name)), country.alpha_2)
    for code, name in INDONESIAN_NAMES.items():
        keys.setdefault(name_key(name), code)
    return keys


# Where pycountry's name is not the one the country's partners use: its Indonesian "Timor Timur"
# is the name before 2002 and "Cina" is no longer used (INDONESIAN_NAMES above); its
# English names without a short form read like an index.
LOCAL_NAMES = {
    **{("id", code): name for code, name in INDONESIAN_NAMES.items()},
    ("en", "RU"): "Russia",
    ("en", "PS"): "Palestine",
    ("en", "FM"): "Micronesia",
    ("en", "CD"): "Democratic Republic of the Congo",
    ("en", "VG"): "British Virgin Islands",
    ("en", "VI"): "U.S. Virgin Islands",
}


def country_name(code: str) -> str:
    """The country's short name in the active language ("Jepang" in Bahasa Indonesia)."""
    return _country_name(code or "", (get_language() or "en").split("-")[0])


@lru_cache(maxsize=4096)  # per language: a list page names a country on every row
def _country_name(code: str, language: str) -> str:
    if code == "XK":
        return "Kosovo"
    country = pycountry.countries.get(alpha_2=code)
    if not country:
        return code
    if (language, code) in LOCAL_NAMES:
        return LOCAL_NAMES[language, code]
    if language == "en" or code == "TW":  # ISO's long name for Taiwan is not what partners call it
        return getattr(country, "common_name", None) or country.name
    translated = _translator("iso3166-1", language).gettext(country.name)
    return translated if translated != country.name else getattr(country, "common_name", None) or country.name


@cache
def _translator(domain: str, lang: str):
    """pycountry's own translations of ISO 3166 names (domains iso3166-1 and iso3166-2)."""
    return gettext.translation(domain, pycountry.LOCALES_DIR, languages=[lang], fallback=True)
