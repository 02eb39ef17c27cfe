"""Find a region by name or code ("find my region" on the landing page), without Dash.

Every region of every dataset (NUTS regions and countries; US states, counties, economic areas
and the nation) is one row of an index: its code, its name, its level and where it lies (a
county's state, a NUTS region's country). :func:`search` matches typed text on the code's prefix
and on the name, accents, case and punctuation ignored ("baden wurttemberg" finds
Baden-Württemberg, "DE11" Stuttgart, "wayne" every Wayne County with its state), codes first,
then names that start with the text, then names with a word that does, then any substring; a
county also matches its state's name ("wayne michigan"). The index is made once per build and
dataset set (:func:`region_index`).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import pandas as pd

# letters NFKD does not split into a base letter and a mark
_FOLD = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "æ": "ae", "œ": "oe", "ı": "i", "þ": "th", "ð": "d"})
_NOT_WORD = re.compile(r"[^0-9a-z]+")
LEVEL_ORDER = {"nation": 0, "country": 1, "state": 2, "nuts1": 3, "nuts2": 4, "ea": 5, "county": 6}
MIN_NAME_CHARS = 2  # one letter matches names everywhere: only codes answer it


def normalise(text: str) -> str:
    """Lower case, accents and punctuation removed, single spaces: 'Île-de-France' → 'ile de france'."""
    folded = unicodedata.normalize("NFKD", str(text).casefold().translate(_FOLD))
    plain = "".join(c for c in folded if not unicodedata.combining(c))
    return _NOT_WORD.sub(" ", plain).strip()


@dataclass(frozen=True)
class Match:
    """One region found: enough to label it and to link its profile."""

    dataset: str
    region_id: str
    name: str
    level: str
    level_label: str  # "NUTS 2 region", "county" …
    within: str  # the state of a county, the country of a NUTS region ("" when none)
    dataset_label: str
    has_data: bool = True

    @property
    def key(self) -> str:
        """A unique value for a picker: ``<dataset>/<region_id>``."""
        return f"{self.dataset}/{self.region_id}"

    @property
    def label(self) -> str:
        """'Wayne County, MI (26163) · county in Michigan · United States'."""
        where = f"{self.level_label} in {self.within}" if self.within else self.level_label
        name = re.sub(r"\s*\(EA\)$", "", self.name)  # an economic area's name ends in "(EA)": said by the level
        text = f"{name} ({self.region_id}) · {where} · {self.dataset_label}"
        return text if self.has_data else text + " · no data"


def make_index(regions: pd.DataFrame) -> pd.DataFrame:
    """The search index of a region table with columns dataset, region_id, name, level, and
    optionally level_label, within, dataset_label, has_data. Adds the normalised code, name and
    haystack (name and where it lies) used by :func:`search`."""
    idx = regions.copy()
    for column, default in (("level_label", idx["level"]), ("within", ""), ("dataset_label", idx["dataset"]),
                            ("has_data", True)):
        if column not in idx:
            idx[column] = default
    idx["within"] = idx["within"].fillna("").astype(str)
    idx["_code"] = idx["region_id"].astype(str).str.casefold()
    idx["_name"] = idx["name"].astype(str).map(normalise)
    idx["_hay"] = (idx["name"].astype(str) + " " + idx["within"]).map(normalise)
    idx["_level"] = idx["level"].map(LEVEL_ORDER).fillna(len(LEVEL_ORDER)).astype(int)
    return idx.reset_index(drop=True)


def search(query: str | None, index: pd.DataFrame, limit: int = 20) -> list[Match]:
    """Regions matching ``query``, best first, at most ``limit``.

    Ranks: 0 code equal, 1 code starts with the text, 2 name starts with it, 3 a word of the name
    starts with it, 4 the name contains it, 5 every typed word is in the name or where it lies
    (a county's state), one of them at least in the name. Ties: regions with data, higher levels (country before region before
    county), then the code (code matches) or the name.
    """
    raw = (query or "").strip()
    if not raw or index.empty:
        return []
    code = raw.casefold().replace(" ", "")
    text = normalise(raw)
    rank = pd.Series(99, index=index.index)
    rank = rank.mask(index["_code"].str.startswith(code), 1).mask(index["_code"] == code, 0)
    if len(text) >= MIN_NAME_CHARS:
        name, hay = index["_name"], index["_hay"]
        words = text.split()
        by_name = pd.Series(99, index=index.index)
        if len(words) > 1:  # "wayne michigan": every word in the name or its place, one at least in the name
            in_hay, in_name = pd.Series(True, index=index.index), pd.Series(False, index=index.index)
            for w in words:
                in_hay &= hay.str.contains(w, regex=False)
                in_name |= name.str.contains(w, regex=False)
            by_name = by_name.mask(in_hay & in_name, 5)
        by_name = by_name.mask(name.str.contains(text, regex=False), 4)
        by_name = by_name.mask((" " + name).str.contains(" " + text, regex=False), 3)
        by_name = by_name.mask(name.str.startswith(text), 2)
        rank = rank.where(rank <= by_name, by_name)
    hits = index.assign(_rank=rank, _nodata=~index["has_data"].astype(bool),
                        _order=index["_code"].where(rank <= 1, index["_name"]))  # codes in code order
    hits = hits[hits["_rank"] < 99].sort_values(["_rank", "_nodata", "_level", "_order", "region_id"])
    return [Match(r.dataset, str(r.region_id), str(r.name), str(r.level), str(r.level_label), str(r.within),
                  str(r.dataset_label), bool(r.has_data)) for r in hits.head(limit).itertuples()]


# ---------------------------------------------------------------------------- the built data

_HELD: dict[tuple, pd.DataFrame] = {}


def _singular(label: str) -> str:
    """'NUTS 2 regions' → 'NUTS 2 region', 'Counties (38 states)' → 'county', 'States' → 'state'."""
    base = re.sub(r"\s*\(.*\)$", "", label).strip()
    if base.endswith("ies"):
        base = base[:-3] + "y"
    elif base.endswith("s"):
        base = base[:-1]
    return base if base.isupper() or base.startswith(("NUTS", "BEA")) else base.lower()


def built_regions() -> pd.DataFrame:
    """Every region of the available datasets as :func:`make_index` wants it."""
    from analytics.serving.store import DATASETS, available_datasets, base_of, get_store

    frames = []
    for ds in available_datasets():
        store, meta = get_store(ds), DATASETS[ds]
        reg = store.regions.drop_duplicates("region_id")
        names = reg.set_index("region_id")["name"]
        ind = store.indicators
        have = set(ind.loc[ind["total_employment"] > 0, "region_id"])
        levels = meta.get("levels", {})
        parent = reg["parent_id"] if "parent_id" in reg else pd.Series(None, index=reg.index)
        if base_of(ds) == "us":  # a county lies in its state; economic areas and states in the nation (said by the dataset)
            within = [names.get(p, "") if lv == "county" else "" for p, lv in zip(parent, reg["level"])]
        else:  # a NUTS region lies in its country
            within = [names.get(c, "") if lv != "country" else "" for c, lv in zip(reg["country"], reg["level"])]
        frames.append(pd.DataFrame({
            "dataset": ds, "region_id": reg["region_id"].astype(str), "name": reg["name"].astype(str),
            "level": reg["level"], "level_label": [_singular(levels.get(lv, lv)) for lv in reg["level"]],
            "within": within, "dataset_label": meta["label"], "has_data": reg["region_id"].isin(have)}))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=["dataset", "region_id", "name", "level"])


def region_index() -> pd.DataFrame:
    """The index of the built regions, made once per build."""
    from analytics.serving.store import available_datasets, build_id

    key = (build_id(), available_datasets())
    if key not in _HELD:
        _HELD.clear()
        _HELD[key] = make_index(built_regions())
    return _HELD[key]


def find_regions(query: str | None, limit: int = 20) -> list[Match]:
    """:func:`search` over every built region."""
    return search(query, region_index(), limit)
