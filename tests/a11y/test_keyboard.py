"""With the keyboard alone (Tab, arrows, Enter, Space, typing): a member publishes a listing and
sends a chat message; and every element reached by Tab shows a focus ring that stands out from
its background (dark header, buttons, cards, forms), at 1366 px and 360 px."""

import pytest

from bourse.listings.models import Listing
from messaging.models import Message

from .pages import PHONE, build_world, focus_ring_fault, focused, new_context, tab_to

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_listing_form_completed_with_the_keyboard_only(live_server, browser):
    world = build_world()
    page = new_context(browser, live_server.url, world.member).new_page()
    page.goto(f"{live_server.url}/annonces/nouvelle/")
    faults = []

    tab_to(page, "[name=kind]", faults=faults)  # the radio group: its checked radio
    page.keyboard.press("ArrowDown")  # "un besoin"
    assert page.evaluate("() => document.querySelector('[name=kind]:checked').value") == "need"
    tab_to(page, "[name=title]", faults=faults)
    page.keyboard.type("Recherche de 40 palettes Europe")
    tab_to(page, "[name=category]", faults=faults)
    while not page.evaluate("() => document.querySelector('[name=category]').value"):
        page.keyboard.press("ArrowDown")  # a closed select changes its choice in place
    category = page.evaluate("() => document.querySelector('[name=category]').value")
    tab_to(page, "[name=description]", faults=faults)
    page.keyboard.type("Palettes en bon état, enlèvement sur place.")
    tab_to(page, "button[value=draft]", faults=faults)
    with page.expect_navigation():
        page.keyboard.press("Space")

    listing = Listing.objects.get(title="Recherche de 40 palettes Europe")
    assert (listing.kind, listing.status, listing.category.slug) == ("need", "draft", category)
    assert listing.description == "Palettes en bon état, enlèvement sur place."
    assert listing.company == world.member.membership.company
    assert faults == []


def test_chat_message_sent_with_the_keyboard_only(live_server, browser):
    world = build_world()
    page = new_context(browser, live_server.url, world.member).new_page()
    page.goto(f"{live_server.url}/messages/{world.conversation.pk}/")
    faults = []

    tab_to(page, "textarea[name=body]", faults=faults, limit=120)
    page.keyboard.type("Parfait, je passe lundi à 9 h.")
    page.keyboard.press("Enter")  # sends (Shift+Enter would start a new line)
    page.locator(".chat-message.is-mine[data-message-id]", has_text="je passe lundi").wait_for()
    assert focused(page, "textarea[name=body]")  # ready for the next one

    page.keyboard.type("Je confirme la veille.")
    tab_to(page, "[data-chat-form] button[type=submit]", faults=faults)
    page.keyboard.press("Enter")
    page.locator(".chat-message.is-mine[data-message-id]", has_text="la veille").wait_for()

    sent = Message.objects.filter(conversation=world.conversation, sender=world.member)
    assert set(sent.values_list("body", flat=True)) >= {
        "Parfait, je passe lundi à 9 h.",
        "Je confirme la veille.",
    }
    assert faults == []


def ring_faults_along_the_page(page, *, limit: int = 60) -> list[str]:
    """The focus ring faults of the first `limit` elements Tab reaches on the page."""
    faults = []
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    for _ in range(limit):
        page.keyboard.press("Tab")
        fault = focus_ring_fault(page)
        if fault and fault not in faults:
            faults.append(fault)
    return faults


def test_focus_ring_stands_out_on_every_background(live_server, browser):
    world = build_world()
    base = live_server.url
    visitor = new_context(browser, base).new_page()
    member = new_context(browser, base, world.member).new_page()
    moderator = new_context(browser, base, world.moderator).new_page()
    faults = []
    for page, path in [
        (visitor, "/"),  # the blue header: links, the white "Créer un compte" button; cards
        (member, "/annonces/?near=69002&radius=50"),  # filters, cards, the map's controls
        (member, f"/annonces/{world.offer.pk}/"),  # buttons in cards, the map
        (moderator, "/moderation/entreprises/"),  # queue buttons, filters
    ]:
        page.goto(base + path)
        faults += [f"{path} at 1366 px: {fault}" for fault in ring_faults_along_the_page(page)]

    # On a phone the navigation hides behind the header's "Menu" button.
    visitor.set_viewport_size(PHONE)
    visitor.goto(base + "/")
    tab_to(visitor, ".nav-toggle", faults=faults)
    visitor.keyboard.press("Enter")
    tab_to(visitor, "#site-nav a", faults=faults)
    assert visitor.locator("#site-nav").is_visible()
    faults += [f"/ at 360 px: {fault}" for fault in ring_faults_along_the_page(visitor, limit=12)]
    assert faults == []
