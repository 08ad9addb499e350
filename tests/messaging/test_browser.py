"""The chat page in a real browser (Chromium) against a running uvicorn server."""

import re
from pathlib import Path

import pytest

from .live import Server, seeded_server

pytestmark = [pytest.mark.browser, pytest.mark.slow]

HOSTILE = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">'


@pytest.fixture
def server(tmp_path):
    # DEBUG: static files straight from frontend/ (no collectstatic); in-memory layer.
    with seeded_server(tmp_path, DEBUG="true", REDIS_URL="") as (server, seed, _env):
        yield server, seed


def logged_in_page(browser, server: Server, email: str, **context_args):
    context = browser.new_context(locale="fr-FR", **context_args)
    page = context.new_page()
    page.goto(server.base + "/comptes/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", "motdepasse-solide-42")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state("networkidle")
    return page


def wait_socket_open(page):
    page.wait_for_function("() => window.BourseRealtime && window.BourseRealtime.isOpen()")


def test_live_chat_shows_hostile_text_as_text_with_typing_and_read_marks(server, browser, tmp_path):
    server, seed = server
    url = f"{server.base}/messages/{seed['conversation']}/"
    owner = logged_in_page(browser, server, seed["owner"])
    owner.goto(url)
    writer = logged_in_page(
        browser, server, seed["writer"], viewport={"width": 390, "height": 844}, is_mobile=True
    )
    writer.goto(url)
    wait_socket_open(owner)
    wait_socket_open(writer)

    # Typing shows on the other side.
    writer.fill("textarea[name=body]", "x")
    writer.type("textarea[name=body]", "y")
    typing = owner.locator("[data-chat-typing]")
    typing.wait_for(state="visible")
    assert "est en train d’écrire" in typing.inner_text()

    # A hostile message is shown as text on both sides, never run.
    writer.fill("textarea[name=body]", HOSTILE)
    writer.click("[data-chat-form] button[type=submit]")
    received = owner.locator(".chat-message.is-theirs .chat-body").last
    received.wait_for()
    owner.wait_for_function(
        "() => document.querySelectorAll('.chat-message.is-theirs').length >= 2"
    )
    assert owner.locator(".chat-message.is-theirs .chat-body").last.text_content() == HOSTILE
    sent = writer.locator(".chat-message.is-mine[data-message-id] .chat-body").last
    sent.wait_for()
    assert sent.text_content() == HOSTILE
    assert owner.evaluate("window.__pwned") is None
    assert writer.evaluate("window.__pwned") is None
    assert owner.locator(".chat-message img").count() == 0

    # The owner's page marks it read as it arrives: the writer sees "Lu" under its message.
    writer.locator(".chat-message.is-mine [data-read]:visible").wait_for()
    writer.screenshot(path=str(tmp_path / "chat-phone.png"), full_page=True)

    # Reloading shows each message once (stored, deduplicated by id).
    writer.reload()
    assert writer.locator(".chat-body", has_text=re.compile("window.__pwned")).count() == 1


def test_nav_badge_counts_new_messages_live_and_the_inbox_updates(server, browser):
    server, seed = server
    owner = logged_in_page(browser, server, seed["owner"])
    owner.goto(server.base + "/messages/")
    writer = logged_in_page(browser, server, seed["writer"])
    writer.goto(f"{server.base}/messages/{seed['conversation']}/")
    wait_socket_open(owner)
    wait_socket_open(writer)
    badge = owner.locator("[data-unread-total]")
    before = int(badge.text_content() or 0)
    writer.fill("textarea[name=body]", "Un nouveau message")
    writer.press("textarea[name=body]", "Enter")
    owner.wait_for_function(
        "n => document.querySelector('[data-unread-total]').textContent === String(n)",
        arg=before + 1,
    )
    assert badge.is_visible()
    preview = owner.locator(f"[data-conversation-id='{seed['conversation']}'] [data-last-message]")
    assert "Un nouveau message" in preview.text_content()


def test_messages_go_over_http_when_the_socket_is_down(server, browser):
    server, seed = server
    context = browser.new_context(locale="fr-FR")
    # Every socket fails to open, as behind a proxy that drops WebSockets.
    context.add_init_script("window.WebSocket = function () { throw new Error('down'); };")
    writer = context.new_page()
    writer.goto(server.base + "/comptes/login/")
    writer.fill("input[name=login]", seed["writer"])
    writer.fill("input[name=password]", "motdepasse-solide-42")
    writer.locator("main form button[type=submit]").first.click()
    writer.wait_for_load_state("networkidle")
    writer.goto(f"{server.base}/messages/{seed['conversation']}/")
    assert writer.evaluate("window.BourseRealtime.isOpen()") is False
    writer.fill("textarea[name=body]", "Par le formulaire")
    writer.click("[data-chat-form] button[type=submit]")
    writer.locator(
        ".chat-message.is-mine[data-message-id]", has_text="Par le formulaire"
    ).wait_for()
    assert writer.url.endswith(f"/messages/{seed['conversation']}/")  # no page load
    writer.reload()
    assert writer.locator(".chat-body", has_text="Par le formulaire").count() == 1


def test_form_sends_without_javascript(server, browser):
    server, seed = server
    writer = logged_in_page(browser, server, seed["writer"], java_script_enabled=False)
    writer.goto(f"{server.base}/messages/{seed['conversation']}/")
    writer.fill("textarea[name=body]", "Sans JavaScript")
    writer.click("[data-chat-form] button[type=submit]")
    writer.wait_for_load_state("networkidle")
    assert writer.locator(".chat-body", has_text="Sans JavaScript").count() == 1
    # The browser's "resend the form" after a refresh does not duplicate it either.
    status, page = server.request(
        "GET",
        f"/api/v1/conversations/{seed['conversation']}/messages/",
        token=server.app_login(seed["writer"]),
    )
    assert [m["body"] for m in page["results"]].count("Sans JavaScript") == 1


@pytest.fixture
def redis_server(tmp_path):
    """The page server with the Redis channel layer, so another process can push to it."""
    from django.conf import settings

    if not settings.REDIS_URL:
        pytest.skip("needs Redis: set REDIS_URL=redis://...")
    with seeded_server(tmp_path, DEBUG="true") as running:
        yield running


NOTIFY = r"""
import django
django.setup()
from accounts.models import Company
from bourse.notifications.services import notify
notify(company=Company.objects.get(pk=COMPANY), kind="match", title="Nouvelle correspondance",
       url="/suggestions/")
"""


@pytest.mark.redis
def test_notifications_show_a_toast_and_bump_the_bell_without_reload(redis_server, browser):
    import subprocess
    import sys

    server, seed, env = redis_server
    owner = logged_in_page(browser, server, seed["owner"])
    owner.goto(server.base + "/messages/")
    wait_socket_open(owner)
    owner.evaluate("window.__sameDocument = true")
    bell = owner.locator("[data-notification-count]")
    before = int(bell.text_content() or 0)
    subprocess.run(
        [sys.executable, "-c", f"COMPANY = {seed['owner_company']}\n" + NOTIFY],
        env=env,
        check=True,
        timeout=60,
        cwd=str(Path(__file__).resolve().parents[2]),
    )
    owner.locator(".toast", has_text="Nouvelle correspondance").wait_for()
    assert bell.text_content() == str(before + 1)
    assert owner.evaluate("window.__sameDocument") is True  # no reload


def test_a_live_message_is_dated_as_the_server_dates_it(server, browser):
    server, seed = server
    url = f"{server.base}/messages/{seed['conversation']}/"
    owner = logged_in_page(browser, server, seed["owner"], timezone_id="Europe/Paris")
    owner.goto(url)
    writer = logged_in_page(browser, server, seed["writer"], timezone_id="Europe/Paris")
    writer.goto(url)
    wait_socket_open(owner)
    wait_socket_open(writer)
    writer.fill("textarea[name=body]", "Daté en direct")
    writer.press("textarea[name=body]", "Enter")
    live = owner.locator(".chat-message[data-message-id]", has_text="Daté en direct")
    live.wait_for()
    live_text = live.locator("time").text_content()
    assert re.fullmatch(r"\d{1,2} [a-zéû]+, \d\d:\d\d", live_text), live_text
    owner.reload()
    served = owner.locator(".chat-message[data-message-id]", has_text="Daté en direct")
    assert served.locator("time").text_content() == live_text


PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True}


def test_phone_menu_dot_follows_unread_messages_live(server, browser):
    server, seed = server
    conversation_url = f"{server.base}/messages/{seed['conversation']}/"
    owner = logged_in_page(browser, server, seed["owner"], **PHONE)
    owner.goto(server.base + "/messages/")
    wait_socket_open(owner)
    toggle = owner.locator(".nav-toggle")
    assert toggle.is_visible()
    dot = toggle.locator(".nav-toggle-badge")
    assert dot.is_visible()  # rendered with the page: the seeded "Bonjour" is unread
    reader = owner.context.new_page()

    def read_in_another_tab(text):
        # The server pushes "read" to the company: this tab refreshes its count and drops the dot.
        reader.goto(conversation_url)
        reader.locator(".chat-body", has_text=text).wait_for()
        dot.wait_for(state="detached")
        assert owner.locator("[data-unread-total]").is_hidden()

    read_in_another_tab("Bonjour")

    status, _message = server.request(
        "POST",
        f"/api/v1/conversations/{seed['conversation']}/messages/",
        token=server.app_login(seed["writer"]),
        data={"body": "Êtes-vous là ?"},
    )
    assert status == 201
    dot.wait_for(state="visible")  # created by realtime.js
    assert owner.locator("[data-unread-total]").text_content() == "1"
    read_in_another_tab("Êtes-vous là ?")


def test_a_live_message_of_the_partner_can_be_reported(server, browser, tmp_path):
    server, seed = server
    url = f"{server.base}/messages/{seed['conversation']}/"
    owner = logged_in_page(browser, server, seed["owner"])
    owner.goto(url)
    wait_socket_open(owner)
    status, message = server.request(
        "POST",
        f"/api/v1/conversations/{seed['conversation']}/messages/",
        token=server.app_login(seed["writer"]),
        data={"body": "Payez d'abord en espèces"},
    )
    assert status == 201
    live = owner.locator(f"#m{message['id']}")
    live.wait_for()
    link, person = live.locator("a.report-link").all()
    assert link.text_content() == "⚑ Signaler"
    # Its sender can be reported too, as on a message rendered by the server.
    assert person.text_content() == "⚑ Signaler la personne"
    assert "target_type=user" in person.get_attribute("href")
    # The owner's own live message gets none.
    owner.fill("textarea[name=body]", "Certainement pas.")
    owner.press("textarea[name=body]", "Enter")
    mine = owner.locator(".chat-message.is-mine[data-message-id]", has_text="Certainement pas.")
    mine.wait_for()
    assert mine.locator("a.report-link").count() == 0
    owner.screenshot(path=str(tmp_path / "chat-report-link.png"), full_page=True)

    link.click()
    owner.wait_for_url("**/moderation/signaler/?*")
    assert owner.locator("input[name=target_type]").input_value() == "message"
    assert owner.locator("input[name=target_id]").input_value() == str(message["id"])
    owner.fill("textarea[name=reason]", "Demande de paiement en espèces.")
    owner.click("main form button[type=submit]")
    owner.wait_for_url(url)
    assert "votre signalement a été transmis" in owner.locator(".flash-list").inner_text()


# Drops the first live `message.new` whose body contains "PERDU" before the page sees it, as if
# the channel layer had lost that event; every other frame goes through untouched.
DROP_ONE_EVENT = """
(() => {
  const Native = window.WebSocket;
  let dropped = false;
  window.WebSocket = function (url, protocols) {
    const socket = protocols === undefined ? new Native(url) : new Native(url, protocols);
    const add = socket.addEventListener.bind(socket);
    socket.addEventListener = function (type, listener, options) {
      if (type !== "message") { return add(type, listener, options); }
      return add(type, function (event) {
        if (!dropped && event.data.includes("message.new") && event.data.includes("PERDU")) {
          dropped = true;
          window.__droppedEvent = JSON.parse(event.data);
          return;
        }
        listener(event);
      }, options);
    };
    return socket;
  };
  Object.assign(window.WebSocket, Native);
  window.WebSocket.prototype = Native.prototype;
})();
"""


def test_an_event_missed_live_is_caught_up_when_the_next_one_shows_the_gap(server, browser):
    """The next event's `seq` shows the gap; the page catches up from what it had seen before
    that event, so the missed line appears although a later one arrived first."""
    server, seed = server
    url = f"{server.base}/messages/{seed['conversation']}/"
    owner = logged_in_page(browser, server, seed["owner"])
    owner.context.add_init_script(DROP_ONE_EVENT)
    owner.goto(url)
    writer = logged_in_page(browser, server, seed["writer"])
    writer.goto(url)
    wait_socket_open(owner)
    wait_socket_open(writer)

    for body in ("PERDU en route", "Arrivé ensuite"):
        writer.fill("textarea[name=body]", body)
        writer.press("textarea[name=body]", "Enter")
        writer.locator(".chat-message.is-mine[data-message-id]", has_text=body).wait_for()
    owner.locator(".chat-message.is-theirs", has_text="Arrivé ensuite").wait_for()
    assert owner.evaluate("window.__droppedEvent.message.body") == "PERDU en route"
    owner.locator(".chat-message.is-theirs", has_text="PERDU en route").wait_for(timeout=5000)
    bodies = owner.locator(".chat-message.is-theirs .chat-body").all_text_contents()
    assert bodies[-2:] == ["PERDU en route", "Arrivé ensuite"]  # in order, once each
