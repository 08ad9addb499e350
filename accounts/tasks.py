"""Background work of the accounts app (django-tasks): inline in the embedded default, in the
database for `manage.py db_worker` in production."""

from django_tasks import task

from .models import Company
from .registry import company_locate_address, company_registry_check


@task()
def check_company_registry(company_id: int) -> str:
    """Ask the public registry about a company's SIRET (after its declaration or a new SIRET)."""
    company = Company.objects.filter(pk=company_id).first()
    if company is None:
        return "gone"
    return company_registry_check(company=company).registry_status


@task()
def locate_company(company_id: int) -> str:
    """Place a company at its street address when the Base Adresse Nationale answers."""
    company = Company.objects.filter(pk=company_id).first()
    if company is None:
        return "gone"
    return company_locate_address(company=company).location_precision
