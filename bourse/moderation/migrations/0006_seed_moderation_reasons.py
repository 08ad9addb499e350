"""The common reasons moderators start with (staff edit them in the admin afterwards)."""

from django.db import migrations

REASONS = {
    ("company", "reject"): [
        "Le SIRET ne correspond pas à l'entreprise déclarée (nom ou adresse différents au "
        "registre des entreprises).",
        "L'établissement est fermé selon le registre des entreprises.",
        "Le SIRET est inconnu du registre des entreprises : envoyez-nous un extrait Kbis ou un "
        "avis de situation Sirene.",
        "L'entreprise est déjà inscrite : demandez à son administrateur de vous inviter.",
        "L'entreprise est située hors du territoire de la CCI.",
    ],
    ("company", "suspend"): [
        "Plusieurs entreprises ont signalé un comportement abusif.",
        "Annonces trompeuses ou frauduleuses.",
        "Non-respect des conditions d'utilisation de la bourse d'entraide.",
    ],
    ("listing", "reject"): [
        "L'annonce est sans lien avec l'entraide entre entreprises.",
        "La description est trop vague : précisez la quantité, le lieu et les disponibilités.",
        "Les coordonnées (e-mail, téléphone) n'ont pas leur place dans l'annonce : la "
        "messagerie les remplace.",
        "Produit ou service interdit ou réglementé.",
        "La catégorie ne correspond pas à l'annonce : choisissez la bonne catégorie.",
    ],
    ("listing", "hide"): [
        "Annonce signalée et vérifiée comme trompeuse.",
        "L'annonce n'est plus d'actualité selon plusieurs entreprises.",
        "Contenu inapproprié.",
    ],
}


def seed(apps, schema_editor):
    Reason = apps.get_model("moderation", "ModerationReason")
    for (target, action), texts in REASONS.items():
        for position, text in enumerate(texts):
            Reason.objects.get_or_create(
                target=target, action=action, text=text, defaults={"position": position}
            )


def unseed(apps, schema_editor):
    Reason = apps.get_model("moderation", "ModerationReason")
    for (target, action), texts in REASONS.items():
        Reason.objects.filter(target=target, action=action, text__in=texts).delete()


class Migration(migrations.Migration):
    dependencies = [("moderation", "0005_moderation_reasons")]

    operations = [migrations.RunPython(seed, unseed)]
