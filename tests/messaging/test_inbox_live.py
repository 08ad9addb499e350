"""The inbox and the badges live, in a real browser against a running server: conversations added
and reordered as messages arrive, and every tab's badges right after a read in another tab.

The server runs on the suite's backends: SQLite and the in-memory layer, or PostgreSQL and Redis
when DATABASE_URL and REDIS_URL name them.
"""

import subprocess

import pytest

from tests.live_server import PYTHON, ROOT

from .live import seeded_server
from .test_browser import logged_in_page, wait_socket_open

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def server(tmp_path):
    with seeded_server(tmp_path, DEBUG="true") as running:  # static files from frontend/
        yield running


def start_conversation(server, seed, listing: int, body: str) -> int:
    status, conversation = server.request(
        "POST",
        "/api/v1/conversations/",
        token=server.app_login(seed["writer"]),
        data={"listing": listing, "body": body},
    )
    assert status == 201, conversation
    return conversation["id"]


def send(server, seed, conversation: int, body: str) -> None:
    status, message = server.request(
        "POST",
        f"/api/v1/conversations/{conversation}/messages/",
        token=server.app_login(seed["writer"]),
        data={"body": body},
    )
    assert status == 201, message


def item_ids(page) -> list[int]:
    return page.eval_on_selector_all(
        "[data-inbox] [data-conversation-id]",
        "items => items.map(i => parseInt(i.dataset.conversationId, 10))",
    )


def wait_on_top(page, conversation: int) -> None:
    page.wait_for_function(
        "id => document.querySelector('[data-inbox] li').dataset.conversationId === String(id)",
        arg=conversation,
    )


def badges_agree(page) -> None:
    """The menu's count is the sum of the conversations' counts (every one is on the page)."""
    page.wait_for_function(
        """() => {
            const total = document.querySelector('[data-unread-total]');
            const items = [...document.querySelectorAll('[data-inbox] [data-unread]')];
            const sum = items.reduce((n, b) => n + (parseInt(b.textContent, 10) || 0), 0);
            return String(sum) === total.textContent && total.hidden === (sum === 0);
        }"""
    )


def test_an_empty_inbox_shows_a_new_conversation_live(server, browser):
    server, seed, _env = server
    page = logged_in_page(browser, server, seed["newcomer"])
    page.goto(server.base + "/messages/")
    wait_socket_open(page)
    page.evaluate("window.__sameDocument = true")
    assert page.locator("[data-inbox-empty]").is_visible()

    conversation = start_conversation(
        server, seed, seed["newcomer_listing"], "Nous avons 40 palettes Europe <b>à donner</b>."
    )
    item = page.locator(f"[data-conversation-id='{conversation}']")
    item.wait_for()
    assert page.locator("[data-inbox-empty]").is_hidden()
    assert "Beta Industrie" in item.locator(".conversation-partner").text_content()
    assert "Besoin de palettes Europe" in item.locator(".conversation-listing").text_content()
    preview = item.locator("[data-last-message]").text_content()
    assert "<b>à donner</b>" in preview  # text, never markup
    assert item.locator("[data-unread]").text_content() == "1"
    assert page.locator("[data-unread-total]").text_content() == "1"
    badges_agree(page)
    assert item.locator("a").get_attribute("href") == f"/messages/{conversation}/"
    assert page.evaluate("window.__sameDocument") is True  # no reload


def test_the_inbox_puts_the_conversation_of_each_new_message_on_top(server, browser):
    server, seed, _env = server
    page = logged_in_page(browser, server, seed["owner"])
    page.goto(server.base + "/messages/")
    wait_socket_open(page)
    assert item_ids(page) == [seed["conversation"]]

    # A conversation not on the page: added at the top.
    second = start_conversation(server, seed, seed["second_listing"], "Le chariot est-il libre ?")
    wait_on_top(page, second)
    assert item_ids(page) == [second, seed["conversation"]]
    badges_agree(page)

    # A message in the older one: back on top, its count up by one.
    send(server, seed, seed["conversation"], "Et l'entrepôt, toujours disponible ?")
    wait_on_top(page, seed["conversation"])
    first = page.locator(f"[data-conversation-id='{seed['conversation']}']")
    assert "toujours disponible" in first.locator("[data-last-message]").text_content()
    assert first.locator("[data-unread]").text_content() == "2"
    assert page.locator("[data-unread-total]").text_content() == "3"
    badges_agree(page)

    # After a reload the server's order is the same.
    page.reload()
    assert item_ids(page) == [seed["conversation"], second]


def test_reading_a_conversation_in_one_tab_updates_the_inbox_of_another(server, browser):
    server, seed, _env = server
    inbox = logged_in_page(browser, server, seed["owner"])
    inbox.goto(server.base + "/messages/")
    dashboard = inbox.context.new_page()
    dashboard.goto(server.base + "/")
    redraws = []  # the dashboard's fetches of its own page
    dashboard.on(
        "request",
        lambda r: (
            redraws.append(r) if r.resource_type == "fetch" and r.url == server.base + "/" else None
        ),
    )
    wait_socket_open(inbox)
    wait_socket_open(dashboard)
    second = start_conversation(server, seed, seed["second_listing"], "Le chariot est-il libre ?")
    inbox.locator(f"[data-conversation-id='{second}']").wait_for()
    dashboard.wait_for_function(
        "() => document.querySelector('[data-unread-total]').textContent === '2'"
    )
    # The dashboard's "Messages non lus" card lists it, redrawn from the server.
    in_card = dashboard.locator(f"[data-dash-live=conversations] a[href='/messages/{second}/']")
    in_card.wait_for()
    next_steps = dashboard.locator("[data-dash-live=next]")
    assert "non lus (2)" in next_steps.text_content()
    # Three more messages, a second apart (past the dashboard's quiet time): one fetch of the
    # page after the first redraw, not one per message.
    assert len(redraws) == 1
    for n in range(3):
        send(server, seed, second, f"Et le transpalette ? ({n})")
        dashboard.wait_for_timeout(1000)

    reader = inbox.context.new_page()
    reader.goto(f"{server.base}/messages/{second}/")
    reader.locator(".chat-body", has_text="Le chariot est-il libre ?").wait_for()

    inbox.locator(f"[data-conversation-id='{second}'] [data-unread]").wait_for(state="hidden")
    assert inbox.locator("[data-unread-total]").text_content() == "1"
    badges_agree(inbox)
    # Both badges of the dashboard (the menu's and the "Messages non lus" heading's).
    dashboard.wait_for_function(
        """() => [...document.querySelectorAll('[data-unread-total]')]
                 .every(b => b.textContent === '1')"""
    )
    in_card.wait_for(state="detached")
    assert "non lus (1)" in next_steps.text_content()
    # The three messages and the read: one fetch more, at most one every few seconds.
    assert len(redraws) == 2

    # Out of sight, a tab fetches nothing; shown again, it catches up.
    reader.close()  # else it reads the new messages as they come
    dashboard.evaluate(
        "() => Object.defineProperty(document, 'hidden', {value: true, configurable: true})"
    )
    before = len(redraws)
    for n in range(3):
        send(server, seed, second, f"Encore une question ({n})")
    inbox.locator(f"[data-conversation-id='{second}'] [data-unread]").wait_for()
    dashboard.wait_for_timeout(6000)  # past the dashboard's quiet time and its gap
    assert len(redraws) == before
    dashboard.evaluate(
        """() => { Object.defineProperty(document, 'hidden', {value: false, configurable: true});
                   document.dispatchEvent(new Event('visibilitychange')); }"""
    )
    dashboard.locator(f"[data-dash-live=conversations] a[href='/messages/{second}/']").wait_for()
    assert len(redraws) == before + 1


NOTIFICATIONS = r"""
import django
django.setup()
from accounts.models import Company
from tests import factories
for n in range(2):
    factories.NotificationFactory(company=Company.objects.get(pk=COMPANY))
"""


def test_reading_notifications_in_one_tab_updates_the_bell_of_another(server, browser):
    server, seed, env = server
    subprocess.run(
        [PYTHON, "-c", f"COMPANY = {seed['owner_company']}\n" + NOTIFICATIONS],
        env=env,
        check=True,
        timeout=60,
        cwd=str(ROOT),
    )
    home = logged_in_page(browser, server, seed["owner"])
    home.goto(server.base + "/")
    wait_socket_open(home)
    bell = home.locator("[data-notification-count]")
    assert bell.text_content() == "2" and bell.is_visible()

    other = home.context.new_page()
    other.goto(server.base + "/notifications/")
    other.locator("form[action$='/notifications/lues/'] button[type=submit]").click()
    other.wait_for_load_state("networkidle")

    bell.wait_for(state="hidden")
    assert bell.text_content() == "0"


def test_the_unread_counts_endpoint_gives_both_badges(server, browser):
    server, seed, _env = server
    page = logged_in_page(browser, server, seed["owner"])
    counts = page.evaluate(
        "fetch('/messages/non-lus/', {credentials: 'same-origin'}).then(r => r.json())"
    )
    assert counts == {"total": 1, "notifications": 0}
