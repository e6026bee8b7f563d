"""Distances between coordinates, and the packaged Leeds postcode lookup for the command line."""

from __future__ import annotations

import csv
import gzip
import io
import re
import statistics
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np

EARTH_RADIUS_KM = 6371.0088


def haversine_km(lat1, lon1, lat2, lon2):
    """Great-circle distance in km; works on floats and on broadcastable numpy arrays."""
    lat1, lon1, lat2, lon2 = (
        np.radians(np.asarray(v, dtype=np.float64)) for v in (lat1, lon1, lat2, lon2)
    )
    a = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    distance = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
    return float(distance) if distance.ndim == 0 else distance


def unit_vectors(lat, lon) -> np.ndarray:
    """Points on the unit sphere, so many distances come from one matrix product."""
    lat_r, lon_r = (
        np.radians(np.asarray(lat, dtype=np.float64)),
        np.radians(np.asarray(lon, dtype=np.float64)),
    )
    return np.stack(
        [np.cos(lat_r) * np.cos(lon_r), np.cos(lat_r) * np.sin(lon_r), np.sin(lat_r)], axis=-1
    )


def distances_from_unit_vectors(a: np.ndarray, b: np.ndarray, rows: int = 128) -> np.ndarray:
    """Great-circle km (float32) between every row of a and every row of b, as haversine gives.

    Both sets are moved next to the origin first (by b's mean), so float32 differences stay
    exact to a few metres; the chord c becomes the arc 2R asin(c/2). Within 127 km (c/2 <= 0.01,
    the usual case) asin(x) = x (1 + x^2/6) to 1e-9, which is several times faster than asin.
    The matrix is filled ``rows`` rows of a at a time, so each step's arrays stay in the CPU's
    cache (every element gets the same operations in the same order either way).
    """
    center = np.nanmean(b, axis=0) if np.isfinite(b).any() else np.zeros(3)
    a = (a - center).astype(np.float32)
    b = (b - center).astype(np.float32)
    with np.errstate(invalid="ignore", all="ignore"):
        reach = np.nanmax(np.linalg.norm(a, axis=1), initial=0.0) + np.nanmax(
            np.linalg.norm(b, axis=1), initial=0.0
        )
    distance = np.empty((len(a), len(b)), dtype=np.float32)
    for start in range(0, len(a), rows):
        _fill_distances(a[start : start + rows], b, reach <= 0.02, distance[start : start + rows])
    return distance


def _fill_distances(a: np.ndarray, b: np.ndarray, near: bool, distance: np.ndarray) -> None:
    """One block of ``distances_from_unit_vectors`` (centred float32 vectors), into distance."""
    chord_squared = np.subtract.outer(a[:, 0], b[:, 0])
    chord_squared *= chord_squared
    for axis in (1, 2):
        difference = np.subtract.outer(a[:, axis], b[:, axis])
        difference *= difference
        chord_squared += difference
    np.sqrt(chord_squared, out=distance)
    with np.errstate(invalid="ignore", all="ignore"):
        if near:
            chord_squared *= np.float32(1 / 24)
            chord_squared += 1.0
            distance *= chord_squared
            distance *= np.float32(EARTH_RADIUS_KM)
        else:
            distance *= 0.5
            np.clip(distance, 0.0, 1.0, out=distance)
            np.arcsin(distance, out=distance)
            distance *= np.float32(2 * EARTH_RADIUS_KM)


@dataclass(frozen=True, slots=True)
class Place:
    """Where a postcode is; ``exact`` is False when only its sector (e.g. "LS9 7") was found."""

    postcode: str
    lat: float
    lon: float
    imd_decile: int | None
    priority_area: str
    exact: bool


def normalise_postcode(postcode: str) -> str:
    """Upper case with one space before the inward code ("ls97hg" -> "LS9 7HG")."""
    compact = re.sub(r"\s+", "", postcode).upper()
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) > 3 else compact


class PostcodeLookup:
    """Postcode -> coordinates, IMD decile and priority area, falling back to the sector."""

    def __init__(self, rows: list[dict[str, str]]) -> None:
        self._places: dict[str, Place] = {}
        by_sector: dict[str, list[Place]] = {}
        for row in rows:
            decile = int(row["imd_decile"]) if row["imd_decile"] else None
            place = Place(
                row["postcode"],
                float(row["lat"]),
                float(row["lon"]),
                decile,
                row["priority_area"],
                True,
            )
            self._places[row["postcode"]] = place
            by_sector.setdefault(row["postcode"][:-2], []).append(place)
        self._sectors = {
            sector: _sector_place(sector, places) for sector, places in by_sector.items()
        }

    def find(self, postcode: str) -> Place | None:
        """The place of a postcode, or of its sector when the unit is unknown, or None."""
        key = normalise_postcode(postcode)
        return self._places.get(key) or self._sectors.get(key[:-2])


def _sector_place(sector: str, places: list[Place]) -> Place:
    """A sector's centre and typical decile; no priority area, as sectors straddle boundaries."""
    deciles = [p.imd_decile for p in places if p.imd_decile is not None]
    return Place(
        postcode=sector,
        lat=statistics.fmean(p.lat for p in places),
        lon=statistics.fmean(p.lon for p in places),
        imd_decile=round(statistics.median(deciles)) if deciles else None,
        priority_area="",
        exact=False,
    )


@cache
def load_postcodes() -> PostcodeLookup:
    """The packaged Leeds (LS) postcode lookup, loaded once per process."""
    raw = resources.files("matching").joinpath("data", "leeds_postcodes.csv.gz").read_bytes()
    return PostcodeLookup(list(csv.DictReader(io.StringIO(gzip.decompress(raw).decode("utf-8")))))
