"""Industry codes of an uploaded file: NACE Rev. 2 or NAICS, recognised, normalised and mapped to the
building blocks the built-in data use.

* NACE Rev. 2 (the structure in ``eu/classifications/nace_rev2_en_structure.csv``): a division
  ``10``, group ``10.1`` or class ``10.11``, with or without the dots (``101``, ``1011``) and with or
  without the section letter (``C10``, ``C10.11``; the letter must be the division's section). A
  group or class rolls up to its division, the European building block (``C10``).
* NAICS: 2- to 6-digit codes of a NAICS sector (11, 21, 22, 23, 31–33, 42, 44–45, 48–49, 51–56,
  61, 62, 71, 72, 81, 92). A 6-digit code is read in the NAICS vintage CBP uses for the year
  (:func:`naics_vintage`) and maps through the 2014 benchmark definitions of that vintage, as the US
  build does (industry key ``<vintage>:<code>``); a shorter code maps to a cluster only when every
  6-digit code of the vintage under it that the definitions list is in that one cluster.

A code of 2 to 4 digits can be valid in both systems (``3311``); a file is read in the one
classification its unambiguous codes show (:func:`classify`).
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pandas as pd

from analytics import config

NACE_STRUCTURE = "eu/classifications/nace_rev2_en_structure.csv"
NAICS_SECTORS = frozenset({"11", "21", "22", "23", "31", "32", "33", "42", "44", "45", "48", "49", "51", "52", "53",
                           "54", "55", "56", "61", "62", "71", "72", "81", "92"})
NACE = "nace"
NAICS = "naics"
LABELS = {NACE: "NACE Rev. 2", NAICS: "NAICS"}

_NACE_RE = re.compile(r"^(?P<sec>[A-U])?(?P<div>\d{2})(?:\.?(?P<rest>\d{1,2}))?$")
_NAICS_RE = re.compile(r"^\d{2,6}$")


@lru_cache(maxsize=2)
def nace_structure(raw: str | None = None) -> pd.DataFrame:
    """NACE Rev. 2 codes: ``code`` (``10``, ``10.1``, ``10.11``), ``name``, ``level``, ``division``,
    ``section``; sections are not building blocks and are left out."""
    path = Path(config.raw_dir(raw)) / NACE_STRUCTURE
    if not path.exists():
        raise FileNotFoundError(f"the NACE Rev. 2 structure {path} is missing (raw data: see README)")
    s = pd.read_csv(path, dtype=str, keep_default_na=False)
    s = s.rename(columns={"nace2": "code", "NAME": "name", "Parent": "parent"})[["code", "name", "parent"]]
    s = s[s["code"].str.len() > 1].copy()
    s["division"] = s["code"].str[:2]
    section = s.loc[s["code"].str.len() == 2].set_index("code")["parent"]
    s["section"] = s["division"].map(section)
    s["level"] = s["code"].str.len().map({2: "division", 4: "group", 5: "class"})
    return s.reset_index(drop=True)


def normalise_nace(code: str, raw: str | None = None) -> tuple[str | None, str | None]:
    """(``10.11``-style code, None), or (None, why it is not a NACE Rev. 2 code)."""
    m = _NACE_RE.match(code.replace(" ", "").upper())
    if not m:
        return None, "not a NACE Rev. 2 division, group or class"
    div, rest = m.group("div"), m.group("rest") or ""
    dotted = div + ("." + rest if rest else "")
    known = nace_structure(raw).set_index("code")
    if dotted not in known.index:
        return None, f"no NACE Rev. 2 {'division' if not rest else 'group' if len(rest) == 1 else 'class'} {dotted}"
    sec = m.group("sec")
    if sec and sec != known.at[dotted, "section"]:
        return None, f"division {div} is in section {known.at[dotted, 'section']}, not {sec}"
    return dotted, None


def normalise_naics(code: str) -> tuple[str | None, str | None]:
    c = code.replace(" ", "")
    if not _NAICS_RE.match(c):
        return None, "not a 2- to 6-digit NAICS code"
    if c[:2] not in NAICS_SECTORS:
        return None, f"{c[:2]} is not a NAICS sector"
    return c, None


def nace_looking(code: str) -> bool:
    """Written the NACE way only: a section letter or a dot."""
    c = code.replace(" ", "").upper()
    return bool(c) and (c[0].isalpha() or "." in c)


def classify(codes, raw: str | None = None) -> dict[str, tuple[str | None, str | None, str]]:
    """For each distinct code: (normalised NACE code or None, normalised NAICS code or None, why it
    is neither: "" when it is one of them)."""
    out = {}
    for code in codes:
        nace, why_nace = normalise_nace(code, raw)
        if nace_looking(code):
            out[code] = (nace, None, "" if nace else why_nace)
            continue
        naics, why_naics = normalise_naics(code)
        if len(code.replace(" ", "")) > 4:
            why = "" if naics else why_naics
        else:
            why = "" if (nace or naics) else f"neither NACE Rev. 2 ({why_nace}) nor NAICS ({why_naics})"
        out[code] = (nace, naics, why)
    return out


def nace_division_key(dotted: str, raw: str | None = None) -> str:
    """The European building block of a NACE code: section letter + division (``C10``)."""
    s = nace_structure(raw)
    section = s.loc[s["code"] == dotted[:2], "section"].iloc[0]
    return section + dotted[:2]


def nace_name(dotted: str, raw: str | None = None) -> str:
    s = nace_structure(raw).set_index("code")["name"]
    return str(s.get(dotted, ""))


def naics_vintage(year: int) -> str:
    """The NAICS vintage of ``year`` as CBP uses it: 1997 (to 2002), 2002 (2003–2007), 2007
    (2008–2011), 2012 (2012–2016), 2017 (from 2017; later vintages are read as 2017)."""
    year = int(year)
    if year <= 2002:
        return "1997"
    if year <= 2007:
        return "2002"
    if year <= 2011:
        return "2007"
    if year <= 2016:
        return "2012"
    return "2017"
