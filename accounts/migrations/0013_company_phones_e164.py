"""Company phones were stored as typed; from now on they are stored E.164 like people's
(accounts/phones.py). Numbers that are not French numbers are kept as typed: they are shown as
they are, `manage.py company_phones` lists them, and the next change of the number must be a
valid one."""

from django.core.exceptions import ValidationError
from django.db import migrations

from accounts.phones import normalize_phone


def phones_to_e164(apps, schema_editor):
    Company = apps.get_model("accounts", "Company")
    for company in Company.objects.exclude(phone="").only("pk", "phone").iterator():
        try:
            phone = normalize_phone(company.phone)
        except ValidationError:
            continue
        if phone != company.phone:
            Company.objects.filter(pk=company.pk).update(phone=phone)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0012_company_declared_by"),
    ]

    operations = [
        migrations.RunPython(phones_to_e164, migrations.RunPython.noop, elidable=True),
    ]
