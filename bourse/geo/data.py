"""The French postal code table, shipped with the project and read once per process.

Source: La Poste's "Base officielle des codes postaux" joined with Etalab's "Découpage
administratif" (see docs/data.md for the attribution). No network access is needed: the table is
the default geocoder, and the fallback of any online one.
"""

import csv
import gzip
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True, slots=True)
class Place:
    postal_code: str
    insee_code: str
    commune: str
    departement: str
    region: str
    population: int
    latitude: float
    longitude: float


@dataclass(frozen=True, slots=True)
class Departement:
    code: str
    name: str
    region: str


def fold(text: str) -> str:
    """Lower case without accents, for matching what people type ("saint etienne")."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


@cache
def places() -> tuple[Place, ...]:
    with gzip.open(DATA_DIR / "fr_postal_codes.csv.gz", "rt", encoding="utf-8", newline="") as f:
        return tuple(
            Place(
                postal_code=row["postal_code"],
                insee_code=row["insee_code"],
                commune=row["commune"],
                departement=row["departement"],
                region=row["region"],
                population=int(row["population"] or 0),
                latitude=float(row["latitude"]),
                longitude=float(row["longitude"]),
            )
            for row in csv.DictReader(f)
        )


@cache
def _by_postal_code() -> dict[str, tuple[Place, ...]]:
    table: dict[str, list[Place]] = {}
    for place in places():
        table.setdefault(place.postal_code, []).append(place)
    # The most populated commune first: it is the centre people mean by the postal code.
    return {code: tuple(sorted(rows, key=lambda p: -p.population)) for code, rows in table.items()}


@cache
def departements() -> dict[str, Departement]:
    with open(DATA_DIR / "fr_departements.csv", encoding="utf-8", newline="") as f:
        return {row["code"]: Departement(**row) for row in csv.DictReader(f)}


@cache
def regions() -> dict[str, str]:
    with open(DATA_DIR / "fr_regions.csv", encoding="utf-8", newline="") as f:
        return {row["code"]: row["name"] for row in csv.DictReader(f)}


def communes_for(postal_code: str) -> tuple[Place, ...]:
    """Every commune served by a postal code, most populated first; empty when unknown."""
    return _by_postal_code().get(postal_code.strip(), ())


def lookup(postal_code: str, commune: str | None = None) -> Place | None:
    """The place for a postal code (and optionally a commune name among those it serves)."""
    candidates = communes_for(postal_code)
    if not candidates:
        return None
    if commune:
        wanted = fold(commune)
        for place in candidates:
            if fold(place.commune) == wanted:
                return place
    return candidates[0]


@cache
def _search_index() -> tuple[tuple[str, str, Place], ...]:
    return tuple((p.postal_code, fold(p.commune), p) for p in places())


def autocomplete(query: str, limit: int = 20) -> list[Place]:
    """Postal codes starting with the digits typed, or communes whose name starts with the text."""
    query = query.strip()
    if not query:
        return []
    results: list[Place] = []
    if query[:1].isdigit():
        for code in sorted(_by_postal_code()):
            if code.startswith(query):
                results.extend(_by_postal_code()[code])
                if len(results) >= limit:
                    break
        return results[:limit]
    folded = fold(query)
    starts = [p for _, name, p in _search_index() if name.startswith(folded)]
    starts.sort(key=lambda p: (-p.population, p.commune, p.postal_code))
    return starts[:limit]
