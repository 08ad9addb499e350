"""The search form's category select, rendered once per categories, language and choice
(bourse/listings/search/options.py): what a person sees is always what the database holds."""

import re

import pytest

from bourse.listings.models import Category

pytestmark = pytest.mark.django_db


def _options(client, query: str = "", language: str = "fr") -> str:
    response = client.get(f"/annonces/{query}", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    html = response.content.decode()
    start = html.index('<select id="search-category"')
    return html[start : html.index("</select>", start)]


def _selected(options: str) -> list[str]:
    return re.findall(r'<option value="([^"]*)" selected>', options)


def test_each_choice_is_marked_alone_whatever_was_rendered_before(client):
    child = Category.objects.filter(parent__isnull=False).order_by("pk").first()
    parent = child.parent
    assert _selected(_options(client)) == []
    assert _selected(_options(client, f"?category={child.slug}")) == [child.slug]
    assert _selected(_options(client, f"?category={parent.slug}")) == [parent.slug]
    assert _selected(_options(client)) == []  # the kept renderings do not leak into each other
    assert _selected(_options(client, "?category=inconnue")) == []


def test_an_edited_category_shows_on_the_next_page(client):
    child = Category.objects.filter(parent__isnull=False).order_by("pk").first()
    before = _options(client, f"?category={child.slug}")
    assert f">{child.name}</option>" in before
    # As staff do in the admin; update() writes no signal: the rows themselves are the key.
    Category.objects.filter(pk=child.pk).update(name="Rayonnages <neufs>")
    after = _options(client, f"?category={child.slug}")
    assert ">Rayonnages &lt;neufs&gt;</option>" in after  # escaped as the template escapes
    new = Category.objects.create(slug="bennes", name="Bennes", parent=child.parent, position=99)
    assert '<option value="bennes">Bennes</option>' in _options(client)
    new.delete()
    assert 'value="bennes"' not in _options(client)


def test_labels_follow_the_language(client):
    child = Category.objects.filter(parent__isnull=False).exclude(name_en="").first()
    assert f">{child.name}</option>" in _options(client, language="fr")
    assert f">{child.name_en}</option>" in _options(client, language="en")
