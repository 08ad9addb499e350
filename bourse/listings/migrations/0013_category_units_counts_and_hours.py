"""Counts and hours where people use them ("8 500 cartons" of cardboard, "58 heures" of a
machine): units added to the starting categories' lists, after the units already there, so staff
edits stay (nothing is removed; a unit a listing uses stays allowed). Unknown slugs (renamed or
deleted by staff) are skipped. Reversing removes only the units this migration added and no
listing of the category uses.
"""

from django.db import migrations

# slug → units added (appended in this order when missing)
ADDED = {
    "stockage-exterieur": ["pallet", "day"],
    "entrepot-sec": ["day"],
    "metaux": ["unit"],
    "bois": ["unit"],
    "plastiques": ["unit"],
    "papier-carton": ["unit"],
    "chimie": ["unit"],
    "alimentaire": ["unit"],
    "textiles": ["t"],
    "machines-production": ["hour", "day"],
    "manutention": ["day", "hour"],
    "vehicules": ["hour"],
    "outillage": ["day"],
    "equipements-protection": ["kg"],
    "transport-routier": ["hour", "unit"],
    "livraison-dernier-km": ["pallet"],
    "bureaux": ["unit", "day"],
    "ateliers": ["day"],
    "espaces-vente": ["day"],
    "maintenance": ["unit"],
}


def add_units(apps, schema_editor):
    Category = apps.get_model("listings", "Category")
    for category in Category.objects.filter(slug__in=ADDED):
        units = list(category.units or [])
        missing = [unit for unit in ADDED[category.slug] if unit not in units]
        if missing:
            category.units = units + missing
            category.save(update_fields=["units"])


def remove_units(apps, schema_editor):
    Category = apps.get_model("listings", "Category")
    Listing = apps.get_model("listings", "Listing")
    for category in Category.objects.filter(slug__in=ADDED):
        used = set(Listing.objects.filter(category=category).values_list("unit", flat=True))
        units = [u for u in category.units if u not in ADDED[category.slug] or u in used]
        if units != category.units:
            category.units = units
            category.save(update_fields=["units"])


class Migration(migrations.Migration):
    dependencies = [("listings", "0012_listing_freshness_asked_at")]

    operations = [migrations.RunPython(add_units, remove_units)]
