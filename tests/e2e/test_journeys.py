"""The main journeys of the exchange, as its users live them: a real browser (Chromium) against
a real `uvicorn bourse.asgi:application` (HTTP and WebSocket), its own database and e-mail files.

Run on SQLite by default; with DATABASE_URL=postgres://... the server gets a throwaway
PostgreSQL database, and with REDIS_URL the Redis channel layer and cache, and the second
company is served by a second uvicorn process (messages and badges cross processes).
Screenshots of every step (desktop and phone) go to $E2E_SCREENSHOTS when set.
"""

import json
import os
import re
import urllib.parse
from pathlib import Path

import pytest

from tests.factories import make_siret

from .live import (
    PASSWORD,
    Server,
    e2e_database,
    free_port,
    mails_to,
    manage,
    server_env,
    wait_for_mail,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
MODERATOR = "conseillere@cci-lyon.fr"
COLLEAGUE = "magasinier@alpha-logistique.fr"


@pytest.fixture
def live(tmp_path):
    mail_dir, media_dir = tmp_path / "mail", tmp_path / "media"
    mail_dir.mkdir()
    media_dir.mkdir()
    port = free_port()
    with e2e_database(tmp_path) as database_url:
        # SITE_URL: the links in e-mails (invitations) point to this server.
        env = server_env(database_url, mail_dir, media_dir, SITE_URL=f"http://127.0.0.1:{port}")
        manage(env, "create_moderator", MODERATOR, "--departements", "69", "--password", PASSWORD)
        server = Server(env, tmp_path / "server.log", port=port)
        try:
            # Over Redis, the second company uses a second process: what it sends reaches the
            # first company's browser through the channel layer, as behind a load balancer.
            other = Server(env, tmp_path / "other.log") if os.environ.get("REDIS_URL") else server
            try:
                yield server, other, mail_dir
            finally:
                if other is not server:
                    other.stop()
        finally:
            server.stop()


class Shots:
    """Full-page screenshots at desktop and phone widths, numbered in journey order."""

    def __init__(self, folder: Path | None):
        self.folder = folder
        self.count = 0
        if folder:
            folder.mkdir(parents=True, exist_ok=True)

    def __call__(self, page, name: str, phone: bool = True) -> None:
        if not self.folder:
            return
        self.count += 1
        stem = f"{self.count:02d}-{name}"
        size = page.viewport_size
        page.screenshot(path=self.folder / f"{stem}-desktop.png", full_page=True)
        if phone:
            page.set_viewport_size(PHONE)
            page.screenshot(path=self.folder / f"{stem}-phone.png", full_page=True)
            page.set_viewport_size(size)


def new_page(browser):
    context = browser.new_context(locale="fr-FR", viewport=DESKTOP)
    context.set_default_timeout(10_000)
    return context.new_page()


def log_in(page, base: str, address: str) -> None:
    page.goto(base + "/comptes/login/")
    page.fill("input[name=login]", address)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_selector("[data-nav-account]")


def sign_up(page, mail_dir, shot, *, address: str, label: str) -> None:
    """On the signup page already open: create the account, confirm the e-mail by its code."""
    assert page.locator("html").get_attribute("lang") == "fr"
    page.fill("input[name=email]", address)
    local = address.split("@")[0]
    page.fill("input[name=first_name]", local.split(".")[0].capitalize())
    page.fill("input[name=last_name]", local.split(".")[-1].capitalize())
    page.fill("input[name=job_title]", "Responsable des achats")
    page.fill("input[name=phone]", "04 78 12 34 56")
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    page.check("input[name=terms_accepted]")
    shot(page, f"signup-{label}")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_selector("input[name=code]")
    shot(page, f"code-{label}")

    _subject, text = wait_for_mail(mail_dir, address, "saisissez ce code")
    code = re.search(r"saisissez ce code[^\n]*\n+\s*(\S+)\s*\n", text).group(1)
    page.fill("input[name=code]", code)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_selector("[data-nav-account]")


def sign_up_and_declare(page, server, mail_dir, shot, *, address, name, postal_prefix, postal):
    """Journey a: sign up on the French pages, confirm the e-mail by code, declare the company."""
    page.goto(server.base + "/comptes/signup/")
    sign_up(page, mail_dir, shot, address=address, label=postal)

    page.goto(server.base + "/entreprise/declarer/")
    siret = make_siret()
    page.fill("input[name=name]", name)
    page.fill("input[name=siret]", siret)
    page.fill("input[name=address]", "12 rue Garibaldi")
    field = page.locator("input[name=postal_code]")
    field.press_sequentially(postal_prefix, delay=30)
    listbox = "#" + field.get_attribute("aria-controls")
    option = page.locator(f"{listbox} [role=option]", has_text=postal).first
    option.wait_for()
    shot(page, f"declare-autocomplete-{postal}")
    option.click()
    assert field.input_value() == postal
    page.locator("form.card button[type=submit]").click()
    page.wait_for_url("**/entreprise/")
    page.wait_for_selector("text=attend la vérification")
    assert "en attente de vérification" in page.inner_text("main").lower()
    # The page keeps its space under the header (main's padding is not lost to .container's).
    assert (
        page.evaluate("parseFloat(getComputedStyle(document.querySelector('main')).paddingTop)")
        >= 16
    )
    shot(page, f"company-pending-{postal}")
    return siret


def moderate(page, base: str, queue: str, card_text: str, action: str, reason: str = "") -> None:
    """Click `action` in the moderation queue item showing `card_text` (with a reason)."""
    page.goto(f"{base}/moderation/{queue}/")
    form = page.locator("form.mod-action").filter(has=page.locator(f"button[value={action}]"))
    item = page.locator("main :is(article, li, tr, section, .card)", has_text=card_text).filter(
        has=form
    )
    if reason:
        item.last.locator("textarea[name=reason]").fill(reason)
    item.last.locator(f"button[value={action}]").click()
    page.wait_for_selector(f"text=« {card_text} »")


def post_listing(page, base, *, kind, title, description, quantity, terms):
    page.goto(base + "/annonces/nouvelle/")
    page.check(f"input[name=kind][value={kind}]")
    page.fill("input[name=title]", title)
    page.fill("textarea[name=description]", description)
    page.select_option("select[name=category]", "entrepot-sec")
    page.fill("input[name=quantity]", quantity)
    page.select_option("select[name=unit]", "m2")
    page.select_option("select[name=terms]", terms)
    page.locator("button[name=action][value=submit]").click()
    page.wait_for_selector("text=Annonce soumise")
    assert "en attente de validation" in page.inner_text("main")


def test_from_signup_to_a_fulfilled_deal(live, browser):
    server, other, mail_dir = live
    shots_dir = os.environ.get("E2E_SCREENSHOTS")
    shot = Shots(Path(shots_dir) if shots_dir else None)
    alpha_mail, beta_mail = "gerante@alpha-logistique.fr", "achats@beta-industrie.fr"

    # a. A newcomer signs up, confirms by code and declares Alpha Logistique (Lyon 3e).
    alpha = new_page(browser)
    sign_up_and_declare(
        alpha,
        server,
        mail_dir,
        shot,
        address=alpha_mail,
        name="Alpha Logistique",
        postal_prefix="6900",
        postal="69003",
    )

    # b. The Rhône moderator verifies it; the company is told by e-mail.
    moderator = new_page(browser)
    log_in(moderator, server.base, MODERATOR)
    # Made by the command, the moderator has neither a name nor the terms accepted: the first
    # page asks for both, once.
    moderator.wait_for_url("**/conditions-d-utilisation/accepter/**")
    moderator.fill("input[name=first_name]", "Mathilde")
    moderator.fill("input[name=last_name]", "Garnier")
    moderator.check("input[name=accept]")
    moderator.locator("main form.auth-form button[type=submit]").click()
    moderator.wait_for_url("**/moderation/")
    moderator.goto(server.base + "/moderation/")
    shot(moderator, "moderation-dashboard")
    moderator.goto(server.base + "/moderation/entreprises/")
    moderator.wait_for_selector("text=Alpha Logistique")
    shot(moderator, "moderation-companies")
    alpha.wait_for_function("() => window.BourseRealtime && window.BourseRealtime.isOpen()")
    moderate(moderator, server.base, "entreprises", "Alpha Logistique", "verify")
    wait_for_mail(mail_dir, alpha_mail, "Votre entreprise est vérifiée")
    # Told live on the open page too: a toast and the bell's count, without a reload.
    alpha.locator(".toast", has_text="Votre entreprise est vérifiée").wait_for()
    assert alpha.locator("[data-notification-count]").inner_text().strip() == "1"
    shot(alpha, "company-verified-toast", phone=False)
    alpha.goto(server.base + "/entreprise/")
    assert "en attente" not in alpha.inner_text("main").lower()
    shot(alpha, "company-verified")

    # The admin invites a colleague, who follows the e-mailed link, signs up and joins.
    alpha.fill("input[name=email]", COLLEAGUE)
    alpha.get_by_role("button", name="Envoyer l'invitation").click()
    alpha.wait_for_selector(f"text=Invitation envoyée à {COLLEAGUE}")
    _subject, text = wait_for_mail(mail_dir, COLLEAGUE, "vous invite à rejoindre Alpha Logistique")
    link = re.search(r"(http://\S+/invitations/\S+/)", text).group(1)
    assert link.startswith(server.base)
    colleague = new_page(browser)
    colleague.goto(link)
    shot(colleague, "invitation-anonymous")
    colleague.get_by_role("link", name="Créer mon compte").click()
    sign_up(colleague, mail_dir, shot, address=COLLEAGUE, label="colleague")
    # After the code, the newcomer is back on the invitation (the signup kept ?next=).
    assert colleague.url == link, colleague.url
    colleague.get_by_role("button", name="Accepter et rejoindre l'entreprise").click()
    colleague.wait_for_selector("text=Bienvenue chez Alpha Logistique !")
    assert COLLEAGUE in colleague.inner_text(".members-table")
    shot(colleague, "colleague-joined")

    # c. Alpha posts an offer; the moderator approves it; the public sees it.
    post_listing(
        alpha,
        server.base,
        kind="offer",
        title="Entrepôt sec 400 m²",
        description="Entrepôt sec et sécurisé, quai de chargement, accès poids lourds.",
        quantity="400",
        terms="rent",
    )
    shot(alpha, "offer-submitted")
    # The moderator first sends it back with a reason; the company reads it, fixes, resubmits.
    moderator.goto(server.base + "/moderation/annonces/")
    shot(moderator, "moderation-listings")
    moderate(
        moderator,
        server.base,
        "annonces",
        "Entrepôt sec 400 m²",
        "reject",
        reason="Précisez la hauteur sous plafond.",
    )
    alpha.goto(server.base + "/annonces/mes-annonces/")
    row = alpha.locator(".mine-table tr", has_text="Entrepôt sec 400 m²")
    assert "Précisez la hauteur sous plafond." in row.inner_text()
    assert "refusée" in row.inner_text().lower()
    shot(alpha, "offer-rejected")
    row.get_by_role("link", name="Modifier").click()
    alpha.fill("textarea[name=description]", "Entrepôt sec, 8 m sous plafond, quai poids lourds.")
    alpha.locator("button[name=action][value=submit]").click()
    alpha.wait_for_selector("text=Annonce soumise")
    moderate(moderator, server.base, "annonces", "Entrepôt sec 400 m²", "approve")
    wait_for_mail(mail_dir, alpha_mail, "Annonce publiée : Entrepôt sec 400 m²")

    visitor = new_page(browser)
    visitor.goto(server.base + "/annonces/")
    visitor.wait_for_selector("text=Entrepôt sec 400 m²")
    shot(visitor, "search-anonymous")
    visitor.get_by_role("link", name="Entrepôt sec 400 m²").first.click()
    visitor.wait_for_selector("h1:has-text('Entrepôt sec 400 m²')")
    detail = visitor.inner_text("main")
    assert alpha_mail not in detail and "Contacter l'entreprise" not in detail
    assert "Créer un compte" in detail
    shot(visitor, "offer-anonymous")
    status, found = server.get_json("/api/v1/listings/?near=69003")
    assert status == 200
    offer = next(r for r in found["results"] if r["title"] == "Entrepôt sec 400 m²")
    assert offer["distance_km"] < 2 and offer["status"] == "published"

    # d. A second company, in Villeurbanne, posts the complementary need.
    beta = new_page(browser)
    sign_up_and_declare(
        beta,
        other,
        mail_dir,
        shot,
        address=beta_mail,
        name="Beta Industrie",
        postal_prefix="6910",
        postal="69100",
    )
    moderate(moderator, server.base, "entreprises", "Beta Industrie", "verify")
    post_listing(
        beta,
        other.base,
        kind="need",
        title="Recherche entrepôt sec 300 m²",
        description="Besoin d'un entrepôt sec pour stocker des palettes pendant trois mois.",
        quantity="300",
        terms="rent",
    )
    moderate(moderator, server.base, "annonces", "Recherche entrepôt sec 300 m²", "approve")
    shot(moderator, "moderation-listings-after")
    alpha.goto(server.base + "/suggestions/")
    alpha.wait_for_selector("text=Recherche entrepôt sec 300 m²")
    assert "Beta Industrie" in alpha.inner_text("main")
    shot(alpha, "suggestions")

    # The home page shows both latest listings side by side, their cards aligned.
    visitor.goto(server.base + "/")
    cards = visitor.locator(".card-grid > .card")
    cards.nth(1).wait_for()
    first, second = cards.nth(0).bounding_box(), cards.nth(1).bounding_box()
    assert first["y"] == second["y"] and first["x"] < second["x"]
    shot(visitor, "home")

    # e. Beta contacts Alpha about the offer; Alpha sees the message live and answers.
    alpha.goto(server.base + "/annonces/mes-annonces/")
    alpha.wait_for_function("() => window.BourseRealtime && window.BourseRealtime.isOpen()")
    beta.goto(other.base + "/annonces/")
    beta.get_by_role("link", name="Entrepôt sec 400 m²").first.click()
    beta.get_by_role("link", name="Contacter l'entreprise").click()
    shot(beta, "contact-start")
    beta.fill("textarea[name=body]", "Bonjour, votre entrepôt serait-il libre dès lundi ?")
    beta.locator("main form button[type=submit]").click()
    beta.wait_for_url(re.compile(r"/messages/\d+/"))
    conversation_path = urllib.parse.urlsplit(beta.url).path

    badge = alpha.locator("[data-unread-total]")
    badge.wait_for(state="visible")  # pushed over the WebSocket, no reload
    assert badge.inner_text().strip() == "1"
    shot(alpha, "unread-badge")
    # On a phone the badges hide behind "Menu": the button itself carries a dot.
    alpha.set_viewport_size(PHONE)
    alpha.reload()
    assert alpha.locator(".nav-toggle .badge").is_visible()
    assert alpha.locator("[data-unread-total]").is_hidden()  # inside the closed menu
    alpha.locator(".nav-toggle").click()
    assert alpha.locator("[data-unread-total]").inner_text().strip() == "1"
    shot(alpha, "unread-phone-menu", phone=False)
    alpha.set_viewport_size(DESKTOP)
    alpha.goto(server.base + conversation_path)
    alpha.wait_for_selector("text=votre entrepôt serait-il libre dès lundi")
    alpha.wait_for_function("() => window.BourseRealtime && window.BourseRealtime.isOpen()")
    beta.wait_for_function("() => window.BourseRealtime && window.BourseRealtime.isOpen()")

    beta.fill("textarea[name=body]", "Nous aurions 120 palettes.")
    beta.locator("form[data-chat-form] button[type=submit]").click()
    alpha.locator(".chat-message.is-theirs", has_text="Nous aurions 120 palettes.").wait_for()
    alpha.fill("textarea[name=body]", "Oui, c'est possible. Passez le visiter mardi.")
    alpha.locator("form[data-chat-form] button[type=submit]").click()
    beta.locator(".chat-message.is-theirs", has_text="Passez le visiter mardi.").wait_for()
    assert alpha.locator("[data-unread-total]").is_hidden()
    shot(alpha, "conversation-owner")
    shot(beta, "conversation-writer")
    alpha.goto(server.base + "/messages/")
    alpha.wait_for_selector("text=Beta Industrie")
    assert alpha.locator("[data-unread-total]").is_hidden()
    shot(alpha, "inbox")

    # f. Alpha closes the offer as fulfilled with Beta.
    alpha.goto(server.base + "/annonces/mes-annonces/")
    alpha.set_viewport_size(PHONE)  # the head's button wraps: it stays clear of the filter
    button = alpha.get_by_role("link", name="Nouvelle annonce").bounding_box()
    select = alpha.locator(".status-filter select").bounding_box()
    assert select["y"] >= button["y"] + button["height"] + 4
    alpha.set_viewport_size(DESKTOP)
    card = alpha.locator("main :is(article, li, tr)", has_text="Entrepôt sec 400 m²").last
    card.get_by_role("link", name=re.compile("Clôturer")).click()
    alpha.check("input[name=outcome][value=fulfilled]")
    alpha.select_option("select[name=partner_company]", label="Beta Industrie")
    shot(alpha, "close")
    alpha.locator("main form button[type=submit]").click()
    alpha.wait_for_selector("text=Annonce clôturée")
    shot(alpha, "mine-after-close")
    status, found = server.get_json("/api/v1/listings/?near=69003")
    assert "Entrepôt sec 400 m²" not in [r["title"] for r in found["results"]]
    # Both sides of the strong match were told by e-mail, once.
    for address, title in ((alpha_mail, "Entrepôt sec 400 m²"), (beta_mail, "Recherche entrepôt")):
        subjects = [subject for subject, _text in mails_to(mail_dir, address)]
        assert len([s for s in subjects if "Nouvelle suggestion" in s]) == 1, subjects
        assert any(title in s for s in subjects if "Nouvelle suggestion" in s), subjects

    # RGPD: Beta's buyer downloads their data, then deletes the account. Alpha keeps the
    # conversation; the messages no longer carry the buyer's name.
    beta.goto(other.base + "/mon-compte/")
    with beta.expect_download() as download:
        beta.get_by_role("link", name="Télécharger mes données").click()
    exported = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert beta_mail in json.dumps(exported, ensure_ascii=False)
    assert "Nous aurions 120 palettes." in json.dumps(exported, ensure_ascii=False)
    beta.goto(other.base + "/mon-compte/supprimer/")
    # The password is asked again first (allauth's reauthentication), then the page shows.
    beta.fill("input[name=password]", PASSWORD)
    beta.locator("main form button[type=submit]").click()
    beta.wait_for_selector("input[name=confirm]")
    shot(beta, "delete-account")
    beta.check("input[name=confirm]")
    beta.get_by_role("button", name="Supprimer définitivement mon compte").click()
    beta.wait_for_selector("text=Se connecter")
    alpha.goto(server.base + conversation_path)
    alpha.locator(".chat-message.is-theirs", has_text="Nous aurions 120 palettes.").wait_for()
    theirs = alpha.locator(".chat-message.is-theirs").all_inner_texts()
    assert len(theirs) == 2 and all("Utilisateur supprimé" in text for text in theirs)
    assert "achats" not in " ".join(theirs)
    shot(alpha, "conversation-after-deletion")
