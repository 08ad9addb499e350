"""The attributes that decide a substitute (per category, per listing) and the trade's
vocabulary, seeded with the starting taxonomy's attributes and the trade's common synonyms.

The categories' lists are copied here, so that later edits of the code do not change what this
migration did; the vocabulary is bourse.listings.vocabulary.SEED, which the code also falls back
on where no database is read. A category staff renamed or removed is left alone.
"""

from django.db import migrations, models

CATEGORY_ATTRIBUTES = {
    "froid": ["temperature", "surface_m2"],
    "entrepot-sec": ["surface_m2", "ceiling_height_m", "hazard_classes"],
    "stockage-exterieur": ["surface_m2"],
    "alimentaire": ["food_grade", "organic", "temperature", "grade"],
    "chimie": ["hazard_classes", "grade"],
    "metaux": ["grade"],
    "plastiques": ["food_grade", "grade"],
    "textiles": ["organic"],
    "papier-carton": ["food_grade"],
    "manutention": ["capacity_t", "lift_height_m"],
    "vehicules": ["capacity_t"],
    "transport-routier": ["temperature", "adr", "hazard_classes"],
    "emballage": ["food_grade", "capacity_t"],
    "pret-personnel": ["caces", "licence", "adr"],
    "ateliers": ["surface_m2", "ceiling_height_m", "crane_t"],
    "bureaux": ["surface_m2"],
    "espaces-vente": ["surface_m2"],
}


def seed(apps, schema_editor):
    from bourse.listings.vocabulary import SEED

    Category = apps.get_model("listings", "Category")
    TradeTerm = apps.get_model("listings", "TradeTerm")
    for slug, names in CATEGORY_ATTRIBUTES.items():
        Category.objects.filter(slug=slug).update(attributes=names)
    for term, variants in SEED:
        TradeTerm.objects.get_or_create(term=term, defaults={"variants": ", ".join(variants)})


class Migration(migrations.Migration):

    dependencies = [
        ('listings', '0008_search_latitude_band_index'),
    ]

    operations = [
        migrations.CreateModel(
            name='TradeTerm',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('term', models.CharField(max_length=80, unique=True, verbose_name='terme')),
                ('variants', models.TextField(help_text='Séparés par des virgules ou un par ligne (ex. : PL, poids lourd).', verbose_name='synonymes et abréviations')),
                ('updated_at', models.DateTimeField(auto_now=True)),
            ],
            options={
                'verbose_name': 'terme du métier',
                'verbose_name_plural': 'vocabulaire du métier',
                'ordering': ['term'],
            },
        ),
        migrations.AddField(
            model_name='category',
            name='attributes',
            field=models.JSONField(blank=True, default=list, help_text='Caractéristiques demandées dans le formulaire des annonces de cette catégorie (température, capacité, CACES…) et comparées par les suggestions.', verbose_name='attributs'),
        ),
        migrations.AddField(
            model_name='listing',
            name='attributes',
            field=models.JSONField(blank=True, null=True, verbose_name='caractéristiques'),
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
