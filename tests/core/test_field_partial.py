"""One partial renders every form field of the site's own forms (templates/partials/field.html):
required fields are marked on each form, and the help text has the id the widget names."""

import re

import pytest

from tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/entreprise/declarer/", "/annonces/nouvelle/"])
def test_required_marks_and_help_texts_read_by_screen_readers(client, url):
    user = factories.UserFactory()
    if url == "/annonces/nouvelle/":
        user = factories.MembershipFactory(user=user).user
    client.force_login(user)
    html = client.get(url).content.decode()
    assert '<span class="required" aria-hidden="true">*</span>' in html
    described = re.findall(r'aria-describedby="([^"]+)"', html)
    helps = set(re.findall(r'<span class="helptext" id="([^"]+)"', html))
    assert helps, "no help text on the form"
    for ids in described:
        for name in ids.split():
            if name.endswith("_helptext"):
                assert name in helps, name
    assert helps <= {name for ids in described for name in ids.split()}
