import pytest

from tests import factories


@pytest.fixture
def family(db):
    """A parent category with two children: (parent, storage, cold storage)."""
    parent = factories.CategoryFactory(name="Stockage (test)")
    return (
        parent,
        factories.CategoryFactory(parent=parent, name="Entrepôt sec (test)"),
        factories.CategoryFactory(parent=parent, name="Chambre froide (test)"),
    )


@pytest.fixture
def need(company, family):
    """A need of `company` (Lyon), 30 km radius."""
    return factories.ListingFactory(
        company=company,
        kind="need",
        category=family[1],
        radius_km=30,
        title="Recherche entrepôt pour palettes",
        description="Besoin de 200 m2 avec quai de chargement.",
    )
