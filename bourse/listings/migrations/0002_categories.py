"""The starting taxonomy of docs/product.md (editable by staff afterwards in the admin).

Each child lists the units that make sense for it, the first one suggested. Re-running keeps
staff edits of names out of the way only for slugs it does not know: it updates by slug.
"""

from django.db import migrations

ALL_UNITS = ["unit", "kg", "t", "l", "m2", "m3", "pallet", "hour", "day", "person"]

# (slug, French name, English name, units, children)
TAXONOMY = [
    ("stockage", "Stockage", "Storage", [], [
        ("entrepot-sec", "Entrepôt sec", "Dry warehouse", ["m2", "m3", "pallet"]),
        ("froid", "Froid / chambre froide", "Cold storage", ["m3", "m2", "pallet"]),
        ("stockage-exterieur", "Stockage extérieur", "Outdoor storage", ["m2"]),
        ("parking", "Parking", "Parking", ["unit", "m2"]),
    ]),
    ("matieres-premieres", "Matières premières", "Raw materials", [], [
        ("metaux", "Métaux", "Metals", ["t", "kg", "pallet"]),
        ("bois", "Bois", "Wood", ["m3", "t", "pallet"]),
        ("plastiques", "Plastiques", "Plastics", ["kg", "t", "pallet"]),
        ("textiles", "Textiles", "Textiles", ["kg", "unit", "pallet"]),
        ("papier-carton", "Papier-carton", "Paper and cardboard", ["t", "kg", "pallet"]),
        ("chimie", "Chimie", "Chemicals", ["l", "kg", "t"]),
        ("alimentaire", "Alimentaire", "Food", ["kg", "t", "pallet", "l"]),
    ]),
    ("equipements", "Équipements", "Equipment", [], [
        ("machines-production", "Machines de production", "Production machines", ["unit"]),
        ("manutention", "Manutention", "Handling equipment", ["unit"]),
        ("vehicules", "Véhicules", "Vehicles", ["unit", "day"]),
        ("outillage", "Outillage", "Tools", ["unit"]),
        ("informatique", "Informatique", "IT equipment", ["unit"]),
        ("equipements-protection", "Équipements de protection", "Protective equipment",
         ["unit", "pallet"]),
    ]),
    ("transport-logistique", "Transport et logistique", "Transport and logistics", [], [
        ("transport-routier", "Transport routier", "Road transport", ["pallet", "t", "m3", "day"]),
        ("livraison-dernier-km", "Livraison du dernier kilomètre", "Last-mile delivery",
         ["unit", "day", "hour"]),
        ("emballage", "Emballage", "Packaging", ["unit", "pallet", "kg"]),
    ]),
    ("main-d-oeuvre", "Main-d'œuvre", "Workforce", [], [
        ("pret-personnel", "Prêt de personnel", "Staff lending", ["person", "day", "hour"]),
        ("competences", "Compétences", "Skills", ["hour", "day", "person"]),
    ]),
    ("locaux", "Locaux", "Premises", [], [
        ("bureaux", "Bureaux", "Offices", ["m2"]),
        ("ateliers", "Ateliers", "Workshops", ["m2"]),
        ("espaces-vente", "Espaces de vente", "Retail space", ["m2"]),
    ]),
    ("services", "Services", "Services", [], [
        ("maintenance", "Maintenance", "Maintenance", ["hour", "day"]),
        ("expertise", "Expertise", "Consulting", ["hour", "day"]),
        ("formation", "Formation", "Training", ["day", "hour", "person"]),
    ]),
    ("autre", "Autre", "Other", ALL_UNITS, []),
]


def create_categories(apps, schema_editor):
    Category = apps.get_model("listings", "Category")
    for position, (slug, name, name_en, units, children) in enumerate(TAXONOMY, start=1):
        parent, _ = Category.objects.update_or_create(
            slug=slug,
            defaults={
                "name": name,
                "name_en": name_en,
                "units": units,
                "position": position * 10,
                "parent": None,
            },
        )
        for child_position, (child_slug, child_name, child_en, child_units) in enumerate(
            children, start=1
        ):
            Category.objects.update_or_create(
                slug=child_slug,
                defaults={
                    "name": child_name,
                    "name_en": child_en,
                    "units": child_units,
                    "position": child_position,
                    "parent": parent,
                },
            )


class Migration(migrations.Migration):
    dependencies = [("listings", "0001_initial")]

    operations = [migrations.RunPython(create_categories, migrations.RunPython.noop)]
