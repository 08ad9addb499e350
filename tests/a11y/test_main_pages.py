"""The main pages of every role, in Chromium: no serious or critical axe-core violation and no
ARIA reference to a missing id at 1366 px (the listing form also once sent empty), and nothing
scrolls sideways at 360 px. With SCREENSHOTS_DIR set, each page is saved at both sizes
(docs/accessibility.md)."""

import pytest

from .pages import (
    DESKTOP,
    PHONE,
    axe_violations,
    build_world,
    dangling_references,
    describe,
    new_context,
    screenshot,
    short_text_contrast,
    sideways_overflow,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def main_pages(world):
    """(persona, screenshot name, path): the pages people use most, as the role that uses them."""
    offer, conversation = world.offer.pk, world.conversation.pk
    return [
        (None, "home", "/"),
        (None, "search", "/annonces/?near=69002&radius=50"),
        (None, "map", "/annonces/carte/"),
        (None, "listing-detail", f"/annonces/{offer}/"),
        (None, "signup", "/comptes/signup/"),
        (None, "login", "/comptes/login/"),
        (world.member, "member-home", "/"),
        (world.member, "member-search", "/annonces/?near=69002"),
        (world.member, "member-map", "/annonces/carte/?near=69002&radius=100"),
        (world.member, "member-listing-detail", f"/annonces/{offer}/"),
        (world.member, "listing-form", "/annonces/nouvelle/"),
        (world.member, "my-listings", "/annonces/mes-annonces/"),
        (world.member, "suggestions", "/suggestions/"),
        (world.member, "inbox", "/messages/"),
        (world.member, "conversation", f"/messages/{conversation}/"),
        (world.member, "notifications", "/notifications/"),
        (world.member, "company", "/entreprise/"),
        (world.waiting, "waiting-home", "/"),
        (world.waiting, "waiting-listing-form", "/annonces/nouvelle/"),
        (world.moderator, "moderation-dashboard", "/moderation/"),
        (world.moderator, "moderation-companies", "/moderation/entreprises/"),
        (world.moderator, "moderation-listings", "/moderation/annonces/"),
        (world.moderator, "moderation-reports", "/moderation/signalements/"),
        (world.moderator, "moderation-calls", "/moderation/sans-reponse/"),
        (world.moderator, "moderation-stats", "/moderation/statistiques/"),
        (world.moderator, "moderation-log", "/moderation/journal/"),
        (world.moderator, "moderation-crises", "/moderation/crises/"),
    ]


def test_main_pages_pass_axe_and_fit_a_phone(live_server, browser):
    world = build_world()
    base = live_server.url
    pages = {}  # one tab per persona
    failures = []
    for persona, name, path in main_pages(world):
        if persona not in pages:
            pages[persona] = new_context(browser, base, persona).new_page()
        page = pages[persona]
        page.set_viewport_size(DESKTOP)
        response = page.goto(base + path)
        assert response.status == 200, f"{path} answered {response.status}"
        violations = axe_violations(page, base)
        if violations:
            failures.append(f"{name} ({path}) at 1366 px:\n{describe(violations)}")
        missing = dangling_references(page)
        if missing:
            failures.append(f"{name} ({path}) names ids it lacks: {', '.join(missing)}")
        low = short_text_contrast(page)
        if low:
            failures.append(f"{name} ({path}) short texts in low contrast: {', '.join(low)}")
        screenshot(page, f"{name}-1366")

        page.set_viewport_size(PHONE)
        overflow, culprits = sideways_overflow(page)
        if overflow > 0:
            failures.append(
                f"{name} ({path}) scrolls {overflow} px sideways at 360 px: " + "; ".join(culprits)
            )
        screenshot(page, f"{name}-360")

    # A form sent empty: its errors (messages, summary, focus) must be as accessible as the rest.
    page = pages[world.member]
    page.set_viewport_size(DESKTOP)
    page.goto(base + "/annonces/nouvelle/")
    with page.expect_navigation():
        page.locator("button[value=submit]").click()
    assert page.locator(".errorlist").count() > 0
    violations = axe_violations(page, base)
    if violations:
        failures.append(f"listing form sent empty:\n{describe(violations)}")
    missing = dangling_references(page)
    if missing:
        failures.append(f"listing form sent empty names ids it lacks: {', '.join(missing)}")
    screenshot(page, "listing-form-errors-1366")
    assert not failures, "\n".join(failures)
