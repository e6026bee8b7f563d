"""Resolve a postcode to its place: coordinates, ward, LSOA, deprivation decile and priority area.

Reference data ships in ``pathways/data/geography`` (see its README for sources and licences) and
is loaded once, on first use.
"""

import csv
import gzip
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import postcode as uk_postcode

from pathways.errors import UnknownPostcode

DATA_DIR = Path(__file__).parent / "data" / "geography"
# The postcode areas the shipped lookup covers completely; elsewhere a valid postcode has no data.
COVERED_AREAS = frozenset({"LS"})
DEFAULT_PRIORITY_DECILE_THRESHOLD = 2


@dataclass(frozen=True, slots=True)
class Place:
    """Everything the service derives from one postcode."""

    postcode: str
    in_coverage: bool
    latitude: float | None = None
    longitude: float | None = None
    local_authority: str | None = None
    ward_name: str | None = None
    lsoa21_code: str | None = None
    lsoa21_name: str | None = None
    imd_decile: int | None = None
    imd_rank: int | None = None
    imd2019_decile: int | None = None
    priority_area: str | None = None
    is_priority: bool = False

    @property
    def has_deprivation_data(self) -> bool:
        """False for postcodes outside the data or without an LSOA (e.g. large users)."""
        return self.imd_decile is not None


def normalise_postcode(text: str) -> str:
    """Standard form of a postcode (``ls97ja`` -> ``LS9 7JA``); raise UnknownPostcode if invalid."""
    compact = "".join((text or "").split()).upper()
    parsed = uk_postcode.parse(compact)
    if not parsed.valid:
        raise UnknownPostcode(
            f"“{(text or '').strip()[:20]}” is not a valid UK postcode",
            errors={"postcode": "Enter a full UK postcode, like LS9 7JA"},
        )
    return parsed.postcode


# Shipped reference data never changes while the process runs, so every worker may keep answers;
# a shortlist resolves thousands of residents' postcodes per request.
@lru_cache(maxsize=50_000)
def resolve_postcode(
    text: str, *, priority_decile_threshold: int = DEFAULT_PRIORITY_DECILE_THRESHOLD
) -> Place:
    """Resolve a postcode; unknown postcodes in a covered area are refused, others get no data."""
    normalised = normalise_postcode(text)
    row = _postcodes().get(normalised)
    if row is None:
        if _area(normalised) in COVERED_AREAS:
            raise UnknownPostcode(
                f"{normalised} is not a known postcode",
                errors={"postcode": f"We cannot find {normalised}. Check it and try again"},
            )
        return Place(postcode=normalised, in_coverage=False)
    decile = _int_or_none(row["imd2025_imd_decile"])
    priority_area = _priority_areas().get(row["lsoa21_code"])
    return Place(
        postcode=normalised,
        in_coverage=True,
        latitude=_float_or_none(row["lat"]),
        longitude=_float_or_none(row["lon"]),
        local_authority=row["lad_name"] or None,
        ward_name=row["ward_name"] or None,
        lsoa21_code=row["lsoa21_code"] or None,
        lsoa21_name=row["lsoa21_name"] or None,
        imd_decile=decile,
        imd_rank=_int_or_none(row["imd2025_imd_rank"]),
        imd2019_decile=_int_or_none(row["imd2019_decile"]),
        priority_area=priority_area,
        is_priority=priority_area is not None
        or (decile is not None and decile <= priority_decile_threshold),
    )


def priority_area_names() -> list[str]:
    """The named priority neighbourhoods, for filters and reports."""
    return sorted(set(_priority_areas().values()))


def _area(normalised: str) -> str:
    """The letters that start the postcode (``LS`` of ``LS9 7JA``)."""
    return uk_postcode.to_area(normalised) or ""


@cache
def _postcodes() -> dict[str, dict[str, str]]:
    """Every postcode in the shipped lookup, keyed by its normalised form."""
    with gzip.open(DATA_DIR / "leeds_postcodes.csv.gz", "rt", encoding="utf-8", newline="") as fh:
        return {row["postcode"]: row for row in csv.DictReader(fh)}


@cache
def _priority_areas() -> dict[str, str]:
    """LSOA 2021 code -> named priority area."""
    with open(DATA_DIR / "priority_areas.csv", encoding="utf-8", newline="") as fh:
        return {row["lsoa21_code"]: row["area_name"] for row in csv.DictReader(fh)}


def _int_or_none(value: str) -> int | None:
    return int(float(value)) if value else None


def _float_or_none(value: str) -> float | None:
    return float(value) if value else None
