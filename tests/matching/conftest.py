"""Fixtures shared by the matching tests."""

import pytest

from tests import factories


@pytest.fixture
def offer(other_company, family):
    """An offer of `other_company` (Saint-Étienne) that matches `need` strongly."""
    return factories.ListingFactory(
        company=other_company,
        kind="offer",
        category=family[1],
        radius_km=80,
        title="Entrepôt avec quai, place pour 300 palettes",
        description="Entrepôt sec, quai de chargement, accès poids lourds.",
    )
