"""The site is French by default and entirely available in English (locale/en).

The catalogue tests read locale/en/LC_MESSAGES/django.po itself: every entry translated, none
fuzzy, placeholders kept, and the committed .mo in step with the .po (a fresh machine may lack
gettext to compile it). The page tests render real pages in both languages.
"""

import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings

from accounts.models import Membership
from tests import factories

LOCALE_DIR = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"
PO_FILE = LOCALE_DIR / "django.po"
MO_FILE = LOCALE_DIR / "django.mo"
# %(name)s / %(n)d, a literal %%, {name}, HTML tags and line breaks must survive translation.
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%%|%[sdif]|\{\w*\}|<[^>]+>|\n")
ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}
KEYWORD_LINE = re.compile(r'(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])? (".*")$')


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: ESCAPES.get(m.group(1), "\\" + m.group(1)), text[1:-1])


def parse_po(path: Path) -> list[dict]:
    """Entries of a .po file: {'msgid', 'msgid_plural', 'msgstr': {index: text}, 'flags'}.
    The header (empty msgid) and obsolete entries (#~) are left out."""
    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        entry = {"msgctxt": None, "msgid": None, "msgid_plural": None, "msgstr": {}, "flags": set()}
        current = None
        for line in block.strip().splitlines():
            if line.startswith("#~"):
                entry["msgid"] = None
                break
            if line.startswith("#,"):
                entry["flags"].update(flag.strip() for flag in line[2:].split(","))
            elif line.startswith("#"):
                continue
            elif match := KEYWORD_LINE.match(line):
                keyword, index, text = match.groups()
                if keyword == "msgstr":
                    current = ("msgstr", int(index or 0))
                    entry["msgstr"][current[1]] = _unquote(text)
                else:
                    current = (keyword, None)
                    entry[keyword] = _unquote(text)
            elif line.startswith('"') and current is not None:
                if current[0] == "msgstr":
                    entry["msgstr"][current[1]] += _unquote(line)
                else:
                    entry[current[0]] += _unquote(line)
            else:
                raise AssertionError(f"unexpected line in {path.name}: {line!r}")
        if entry["msgid"]:
            entries.append(entry)
    return entries


@pytest.fixture(scope="module")
def po_entries() -> list[dict]:
    assert PO_FILE.exists(), "locale/en/LC_MESSAGES/django.po is missing: run makemessages -l en"
    return parse_po(PO_FILE)


def test_english_catalogue_is_not_empty(po_entries):
    assert len(po_entries) > 300


def test_every_english_entry_has_a_translation(po_entries):
    untranslated = [
        e["msgid"] for e in po_entries if not e["msgstr"] or not all(e["msgstr"].values())
    ]
    assert untranslated == []


def test_plural_entries_have_both_english_forms(po_entries):
    plurals = [e for e in po_entries if e["msgid_plural"]]
    assert plurals, "the catalogue has plural entries (listing and photo counts)"
    incomplete = [e["msgid"] for e in plurals if sorted(e["msgstr"]) != [0, 1]]
    assert incomplete == []


def test_no_english_entry_is_fuzzy(po_entries):
    assert [e["msgid"] for e in po_entries if "fuzzy" in e["flags"]] == []


def test_translations_keep_every_placeholder_and_tag(po_entries):
    """A plural entry's singular form follows msgid, its plural form msgid_plural: a singular
    may leave the count out ("Corrigez le champ suivant" / "les %(counter)s champs")."""
    broken = []
    for e in po_entries:
        for index, text in e["msgstr"].items():
            source = e["msgid_plural"] if index and e["msgid_plural"] else e["msgid"]
            if sorted(PLACEHOLDER.findall(text)) != sorted(PLACEHOLDER.findall(source)):
                broken.append((e["msgid"], text))
    assert broken == []


def test_compiled_catalogue_matches_the_po_file(po_entries):
    assert MO_FILE.exists(), "locale/en/LC_MESSAGES/django.mo is missing: run compilemessages"
    with MO_FILE.open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)
    stale = []
    for e in po_entries:
        key = f"{e['msgctxt']}\x04{e['msgid']}" if e["msgctxt"] else e["msgid"]
        if e["msgid_plural"]:
            compiled = [catalogue.ngettext(key, e["msgid_plural"], n) for n in (1, 2)]
            if compiled != [e["msgstr"][0], e["msgstr"][1]]:
                stale.append(e["msgid"])
        elif catalogue.gettext(key) != e["msgstr"][0]:
            stale.append(e["msgid"])
    assert stale == [], "django.mo is older than django.po: run compilemessages"


# --- Pages --------------------------------------------------------------------------------------
def page(client, url: str, language: str | None = None) -> str:
    headers = {"Accept-Language": language} if language else {}
    response = client.get(url, headers=headers)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_home_page_is_french_by_default(client):
    html = page(client, "/")
    assert '<html lang="fr">' in html
    assert "Parcourir les annonces" in html
    assert "Browse listings" not in html


@pytest.mark.django_db
def test_home_page_is_english_for_an_english_browser(client):
    html = page(client, "/", "en")
    assert '<html lang="en">' in html
    assert "Browse listings" in html
    assert "What lies idle at one company is missing at another." in html
    assert "Parcourir les annonces" not in html
    assert "Aller au contenu" not in html


@pytest.mark.django_db
def test_unsupported_browser_language_falls_back_to_french(client):
    html = page(client, "/", "de")
    assert "Parcourir les annonces" in html


@pytest.mark.django_db
def test_language_switcher_turns_the_site_english_and_back(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/annonces/"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/annonces/"
    html = page(client, "/annonces/")
    assert "Sort by" in html
    assert "Trier par" not in html

    client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    html = page(client, "/annonces/")
    assert "Trier par" in html
    assert "Sort by" not in html


@pytest.mark.django_db
def test_search_page_counts_listings_with_english_plurals(client):
    factories.ListingFactory(title="Palettes Europe")
    html = page(client, "/annonces/", "en")
    assert "1 listing" in html
    assert "1 annonce" not in html
    factories.ListingFactory(title="Chariot élévateur")
    html = page(client, "/annonces/", "en")
    assert "2 listings" in html
    assert "Offers and needs" in html
    assert "Offres et besoins" not in html


@pytest.mark.django_db
def test_search_page_is_french_by_default(client):
    factories.ListingFactory()
    html = page(client, "/annonces/")
    assert "1 annonce" in html
    assert "Offres et besoins" in html
    assert "Offers and needs" not in html


@pytest.mark.django_db
def test_listing_detail_is_english(client):
    listing = factories.ListingFactory(title="Entrepôt sec 400 m²")
    html = page(client, f"/annonces/{listing.pk}/", "en")
    assert "Entrepôt sec 400 m²" in html  # the user's content is never translated
    assert "Area covered" in html
    assert "Rayon couvert" not in html


@pytest.mark.django_db
def test_login_page_is_english(client):
    html = page(client, "/comptes/login/", "en")
    assert "<h1>Sign in</h1>" in html
    assert "Skip to content" in html
    assert "Se connecter" not in html
    assert "Mot de passe" not in html


@pytest.mark.django_db
def test_login_page_is_french_by_default(client):
    html = page(client, "/comptes/login/")
    assert "Mot de passe" in html
    assert "Password" not in html


@pytest.mark.django_db
def test_company_declaration_page_is_english(client, user):
    client.force_login(user)
    html = page(client, "/entreprise/declarer/", "en")
    assert "Register my company" in html
    assert "Company name" in html
    assert "How does it work?" in html
    assert "Raison sociale" not in html
    assert "Déclarer mon entreprise" not in html


@pytest.mark.django_db
def test_company_declaration_page_is_french_by_default(client, user):
    client.force_login(user)
    html = page(client, "/entreprise/declarer/")
    assert "Raison sociale" in html
    assert "Company name" not in html


@pytest.mark.django_db
def test_my_listings_show_english_status_labels(client, company):
    member = factories.MembershipFactory(company=company, role=Membership.Role.ADMIN).user
    factories.ListingFactory(company=company, title="Camion frigorifique")
    client.force_login(member)
    html = page(client, "/annonces/mes-annonces/", "en")
    assert "My listings" in html
    assert "published" in html
    assert "publiée" not in html
    assert "Mes annonces" not in html
