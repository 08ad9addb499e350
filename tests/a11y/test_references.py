"""Every id a form's widgets name in aria-describedby exists on the page, so screen readers read
the help texts (Django's widgets name `<id>_helptext`; a template that prints the help text must
give it that id). Without a browser, on the pages whose forms are not all the shared partial's."""

import re

import pytest

from tests import factories

pytestmark = pytest.mark.django_db


def missing_ids(html: str) -> list[str]:
    ids = set(re.findall(r'\bid="([^"]+)"', html))
    named = [
        name
        for value in re.findall(r'aria-(?:describedby|labelledby)="([^"]+)"', html)
        for name in value.split()
    ]
    return [name for name in named if name not in ids]


@pytest.mark.parametrize("path", ["/comptes/signup/", "/comptes/login/"])
def test_sign_in_pages_give_their_help_texts_the_id_the_widget_names(client, path):
    html = client.get(path).content.decode()
    assert "_helptext" in html
    assert missing_ids(html) == []


def test_report_form_and_report_queue_give_their_help_texts_the_id_the_widget_names(
    client, moderator
):
    company = factories.CompanyFactory()
    member = factories.MembershipFactory(company=factories.CompanyFactory()).user
    factories.ReportFactory(target_id=company.pk)
    client.force_login(member)
    html = client.get(
        "/moderation/signaler/", {"target_type": "company", "target_id": company.pk}
    ).content.decode()
    assert "_helptext" in html
    assert missing_ids(html) == []

    client.force_login(moderator)
    html = client.get("/moderation/signalements/").content.decode()
    assert "_helptext" in html
    assert missing_ids(html) == []


@pytest.mark.parametrize("path", ["/entreprise/declarer/", "/annonces/nouvelle/"])
def test_site_forms_give_their_help_texts_the_id_the_widget_names(client, path):
    user = factories.UserFactory()
    if path == "/annonces/nouvelle/":
        user = factories.MembershipFactory(user=user).user
    client.force_login(user)
    html = client.get(path).content.decode()
    assert missing_ids(html) == []
