"""Each role at home ("/"): the visitor's public page, a member's dashboard, a waiting company's
next steps, a moderator's queue (bourse/dashboard.py, bourse/views.py)."""

from datetime import timedelta
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Company
from tests import factories

pytestmark = pytest.mark.django_db


def _home(client, user):
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return unescape(response.content.decode())


def test_a_visitor_and_a_user_without_company_get_the_public_page(client):
    html = unescape(client.get(reverse("home")).content.decode())
    assert "Ce qui dort chez l'un" in html
    assert "Ce qui dort chez l'un" in _home(client, factories.UserFactory())


def test_a_moderator_lands_on_moderation(client, moderator):
    client.force_login(moderator)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("moderation:dashboard")


def test_a_member_sees_each_listing_with_what_it_needs(client, company, company_admin):
    draft = factories.ListingFactory(company=company, status="draft", title="Brouillon palettes")
    pending = factories.ListingFactory(company=company, status="pending", title="En attente")
    rejected = factories.ListingFactory(
        company=company, status="rejected", title="Refusée", rejection_reason="Trop vague."
    )
    expiring = factories.ListingFactory(
        company=company, title="Bientôt expirée", expires_in=timedelta(days=3)
    )
    quiet = factories.ListingFactory(company=company, title="Sans photo ni conversation")
    done = factories.ListingFactory(company=company, title="Complète")
    factories.ListingPhotoFactory(listing=done)
    factories.ConversationFactory(listing=done)
    factories.ListingFactory(company=company, status="fulfilled", title="Réalisée")

    html = _home(client, company_admin)
    assert "Ce qui dort chez l'un" not in html
    assert "Réalisée" not in html  # closed listings need nothing
    assert "Brouillon à compléter" in html and reverse("listings:edit", args=[draft.pk]) in html
    assert "En attente de validation" in html and "24 h" in html
    assert "Trop vague." in html
    assert reverse("listings:renew", args=[expiring.pk]) in html
    assert reverse("listings:edit", args=[quiet.pk]) + "#photos" in html
    assert "Aucune conversation pour l'instant" in html
    # The complete listing needs nothing.
    row = html.split(f'data-listing-id="{done.pk}"')[1].split("</li>\n  \n")[0]
    assert "Rien à faire" in row
    # Listings needing the company's action come first.
    assert html.index(draft.title) < html.index(rejected.title) < html.index(pending.title)
    assert html.index(pending.title) < html.index(expiring.title)


def test_a_member_sees_new_suggestions_and_unread_conversations(
    client, company, company_admin, other_company
):
    own = factories.ListingFactory(company=company, kind="need", title="Besoin de palettes")
    offer = factories.ListingFactory(company=other_company, title="Palettes Europe à donner")
    old = factories.ListingFactory(company=other_company, title="Ancienne suggestion")
    dismissed = factories.ListingFactory(company=other_company, title="Suggestion masquée")
    factories.MatchFactory(listing_a=own, listing_b=offer)
    stale = factories.MatchFactory(listing_a=own, listing_b=old)
    type(stale).objects.filter(pk=stale.pk).update(created_at=timezone.now() - timedelta(days=30))
    factories.MatchFactory(listing_a=own, listing_b=dismissed)
    factories.DismissalFactory(company=company, listing=dismissed)

    conversation = factories.ConversationFactory(listing=own, other_company=other_company)
    factories.MessageFactory(conversation=conversation)
    factories.MessageFactory(conversation=conversation)

    html = _home(client, company_admin)
    assert "Palettes Europe à donner" in html
    assert "Ancienne suggestion" not in html and "Suggestion masquée" not in html
    assert reverse("messaging:conversation", args=[conversation.pk]) in html
    assert "Répondre aux messages non lus (2)" in html
    assert "Contacter l'entreprise suggérée (1 nouvelle suggestion)" in html


def test_unread_messages_are_counted_over_every_conversation_beyond_those_summed(
    client, company, company_admin, monkeypatch
):
    """Up to CONVERSATIONS_COUNTED unread conversations, the total is the sum of their counts;
    beyond, the messages are counted apart: the total stays exact, and the newest unread
    conversations are the ones shown."""
    from bourse import dashboard

    monkeypatch.setattr(dashboard, "CONVERSATIONS_COUNTED", 2)
    monkeypatch.setattr(dashboard, "CONVERSATIONS_SHOWN", 2)
    own = factories.ListingFactory(company=company, title="Besoin de palettes")
    conversations = []
    for lines in (1, 2, 4):
        conversation = factories.ConversationFactory(listing=own)
        for _ in range(lines):
            factories.MessageFactory(conversation=conversation)
        conversations.append(conversation)
    html = _home(client, company_admin)
    assert "Répondre aux messages non lus (7)." in html
    assert '<span class="badge" data-unread-total>7</span>' in html
    shown = [reverse("messaging:conversation", args=[c.pk]) in html for c in conversations]
    assert shown == [False, True, True]

    monkeypatch.setattr(dashboard, "CONVERSATIONS_COUNTED", 30)
    monkeypatch.setattr(dashboard, "CONVERSATIONS_SHOWN", 5)
    html = _home(client, company_admin)
    assert "Répondre aux messages non lus (7)." in html
    assert all(reverse("messaging:conversation", args=[c.pk]) in html for c in conversations)


def test_a_member_without_listings_is_asked_to_publish_one(client, company_admin):
    html = _home(client, company_admin)
    assert "Publier une première annonce" in html
    assert reverse("listings:create") in html


def test_another_company_s_listings_never_show(client, company_admin, other_company):
    factories.ListingFactory(company=other_company, status="draft", title="Brouillon d'autrui")
    assert "Brouillon d'autrui" not in _home(client, company_admin)


def test_a_waiting_company_sees_what_it_can_do_and_how_long_it_waits(client, settings):
    settings.MODERATION_TARGET_HOURS = 36
    company = factories.CompanyFactory(status=Company.Status.PENDING)
    membership = factories.MembershipFactory(company=company, role="admin")
    factories.ListingFactory(company=company, status="draft", title="Mon brouillon")
    html = _home(client, membership.user)
    assert "en cours de vérification" in html and "36 h" in html
    assert reverse("listings:create") in html
    assert "Mon brouillon" in html and "dès que votre entreprise sera vérifiée" in html
    assert "Inviter" in html
    # The menu offers nothing that would only answer with an error.
    assert f'href="{reverse("matching:suggestions")}"' not in html
    assert f'href="{reverse("messaging:inbox")}"' not in html
    assert f'href="{reverse("listings:mine")}"' in html


def test_a_waiting_company_long_overdue_is_told_so(client, settings):
    company = factories.CompanyFactory(
        status=Company.Status.PENDING, status_changed_at=timezone.now() - timedelta(days=5)
    )
    membership = factories.MembershipFactory(company=company)
    assert "plus long que d'habitude" in _home(client, membership.user)


def test_a_suspended_company_reads_why_and_keeps_its_conversations(client):
    company = factories.CompanyFactory(
        status=Company.Status.SUSPENDED, status_reason="Annonces trompeuses."
    )
    membership = factories.MembershipFactory(company=company)
    html = _home(client, membership.user)
    assert "suspendue" in html and "Annonces trompeuses." in html
    assert f'href="{reverse("messaging:inbox")}"' in html
    assert f'href="{reverse("matching:suggestions")}"' not in html


def test_the_verified_member_menu_shows_the_full_company_name(client, company_admin):
    Company.objects.filter(pk=company_admin.membership_or_none.company_id).update(
        name="Mécanique de précision Bonnefoy-Delacroix"
    )
    html = _home(client, company_admin)
    assert "<summary>Mécanique de précision Bonnefoy-Delacroix</summary>" in html
    assert reverse("matching:suggestions") in html and reverse("messaging:inbox") in html


def test_login_lands_a_member_on_the_dashboard(client, company_admin):
    company_admin.set_password("motdepasse-solide-42")
    company_admin.save()
    response = client.post(
        reverse("account_login"),
        {"login": company_admin.email, "password": "motdepasse-solide-42"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("home")
    assert "À faire maintenant" in unescape(response.content.decode())
