"""The whole exchange through the public API alone, as an outside client (a CCI's site, a
partner app) follows docs/api.md: allauth's headless app endpoints for the session,
then /api/v1/ with the X-Session-Token header. Field names and status codes are the contract's.

Transactional: side effects run on commit as in production (notifications, e-mails);
serialized_rollback puts the migrated categories back for the tests that follow.
"""

import re
from datetime import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from rest_framework.test import APIClient

from tests import factories
from tests.contract import LISTING_FIELDS
from tests.factories import make_siret

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

AUTH = "/_allauth/app/v1/auth"
PASSWORD = "Entraide-solide-2026"
MODERATOR = "moderatrice@cci-lyon.fr"

MESSAGE_FIELDS = {"id", "conversation", "body", "sender", "company", "created_at", "client_id"}


class App:
    """An app client: JSON in and out, its session token in X-Session-Token."""

    def __init__(self):
        self.client = APIClient()
        self.token = None

    def call(self, method: str, path: str, data=None, expect: int | None = None):
        headers = {"X-Session-Token": self.token} if self.token else {}
        response = getattr(self.client, method)(path, data, format="json", headers=headers)
        if expect is not None:
            body = response.content[:2000]
            assert response.status_code == expect, (method, path, response.status_code, body)
        return response

    def sign_up(self, email: str) -> None:
        details = factories.signup_details()
        response = self.call(
            "post", f"{AUTH}/signup", {"email": email, "password": PASSWORD, **details}
        )
        assert response.status_code == 401
        body = response.json()
        assert [f["id"] for f in body["data"]["flows"] if f.get("is_pending")] == ["verify_email"]
        self.token = body["meta"]["session_token"]
        sent = [m for m in mail.outbox if m.to == [email]]
        assert len(sent) == 1
        code = re.search(r"saisissez ce code[^\n]*\n+\s*(\S+)\s*\n", sent[0].body).group(1)
        response = self.call("post", f"{AUTH}/email/verify", {"key": code}, expect=200)
        self.log_in(email)

    def log_in(self, email: str) -> None:
        self.token = None
        response = self.call("post", f"{AUTH}/login", {"email": email, "password": PASSWORD})
        assert response.status_code == 200, response.json()
        self.token = response.json()["meta"]["session_token"]

    def declare(self, name: str, postal_code: str) -> dict:
        siret = make_siret()
        data = {"name": name, "siret": siret, "address": "5 quai Perrache"}
        data["postal_code"] = postal_code
        company = self.call("post", "/api/v1/companies/", data, expect=201).json()
        assert company["status"] == "pending" and company["siret"] == siret
        assert company["siren"] == siret[:9] and company["departement"] == "69"
        assert {"id", "name", "postal_code", "commune", "latitude", "longitude"} <= set(company)
        return company


def iso(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    assert moment.utcoffset() is not None, value
    return moment


def test_api_journey_from_signup_to_account_deletion():
    call_command("create_moderator", MODERATOR, "--departements", "69", "--password", PASSWORD)
    moderator = App()
    moderator.log_in(MODERATOR)
    me = moderator.call("get", "/api/v1/me/", expect=200).json()
    assert me["is_moderator"] is True and me["moderated_departements"] == ["69"]

    # Alpha signs up, verifies its e-mail by code, logs in and declares its company.
    alpha = App()
    alpha.sign_up("gerant@alpha.fr")
    me = alpha.call("get", "/api/v1/me/", expect=200).json()
    assert set(me) >= {"id", "email", "first_name", "last_name", "company", "is_moderator"}
    assert me["email"] == "gerant@alpha.fr" and me["company"] is None
    bad = alpha.call("post", "/api/v1/companies/", {"name": "X", "siret": "12345678901234",
                     "address": "1 rue", "postal_code": "00000"}, expect=400).json()  # fmt: skip
    assert "siret" in bad
    places = alpha.call("get", "/api/v1/geo/postal-codes/?q=690", expect=200).json()
    assert 0 < len(places) <= 20 and all(p["postal_code"].startswith("690") for p in places)
    assert set(places[0]) == {"postal_code", "commune", "departement", "latitude", "longitude"}
    categories = alpha.call("get", "/api/v1/categories/", expect=200).json()
    by_slug = {c["slug"]: c for c in categories}
    assert set(by_slug["entrepot-sec"]) == {"slug", "name", "parent", "attributes", "units"}
    assert by_slug["entrepot-sec"]["name"] == "Entrepôt sec"
    assert by_slug[by_slug["entrepot-sec"]["parent"]]["parent"] is None
    company_a = alpha.declare("Alpha Logistique", "69003")
    again = {"name": "Alpha Bis", "siret": company_a["siret"], "address": "1 rue",
             "postal_code": "69003"}  # fmt: skip
    assert alpha.call("post", "/api/v1/companies/", again, expect=400).json()
    me = alpha.call("get", "/api/v1/me/", expect=200).json()
    assert me["company"] == {
        "id": company_a["id"], "name": "Alpha Logistique", "status": "pending", "role": "admin"
    }  # fmt: skip

    # An unverified company cannot publish yet (403); the moderator verifies it.
    offer = {
        "kind": "offer", "title": "Entrepôt sec 400 m²", "category": "entrepot-sec",
        "description": "Entrepôt sec, quai de chargement, accès poids lourds.",
        "quantity": "400", "unit": "m2", "terms": "rent", "submit": True,
    }  # fmt: skip
    alpha.call("post", "/api/v1/listings/", offer, expect=403)
    queue = moderator.call("get", "/api/v1/moderation/companies/?status=pending", expect=200)
    assert company_a["id"] in [c["id"] for c in queue.json()["results"]]
    moderator.call("post", f"/api/v1/moderation/companies/{company_a['id']}/verify/", expect=200)
    company = alpha.call("get", f"/api/v1/companies/{company_a['id']}/", expect=200).json()
    assert company["status"] == "verified"

    # Alpha posts the offer; it waits for approval; the moderator approves it.
    listing = alpha.call("post", "/api/v1/listings/", offer, expect=201).json()
    assert set(listing) >= LISTING_FIELDS
    assert listing["status"] == "pending" and listing["unit"] == "m2"
    assert listing["company"] == {"id": company_a["id"], "name": "Alpha Logistique"}
    assert listing["postal_code"] == "69003" and listing["radius_km"] == 50
    anonymous = App()
    anonymous.call("get", f"/api/v1/listings/{listing['id']}/", expect=404)
    reject_url = f"/api/v1/moderation/listings/{listing['id']}/reject/"
    moderator.call("post", reject_url, {}, expect=400)  # a reason is required
    reason = {"reason": "Précisez la hauteur sous plafond."}
    moderator.call("post", reject_url, reason, expect=200)
    rejected = alpha.call("get", f"/api/v1/listings/{listing['id']}/", expect=200).json()
    assert rejected["status"] == "rejected"
    assert rejected["rejection_reason"] == "Précisez la hauteur sous plafond."
    edit = {"description": "Entrepôt sec, 8 m sous plafond, quai poids lourds."}
    alpha.call("patch", f"/api/v1/listings/{listing['id']}/", edit, expect=200)
    submitted = alpha.call("post", f"/api/v1/listings/{listing['id']}/submit/", expect=200)
    assert submitted.json()["status"] == "pending"
    moderator.call("post", f"/api/v1/moderation/listings/{listing['id']}/approve/", expect=200)
    mine = alpha.call("get", "/api/v1/listings/mine/", expect=200).json()
    mine = mine["results"] if isinstance(mine, dict) else mine
    assert [(m["id"], m["status"]) for m in mine] == [(listing["id"], "published")]

    # Anyone finds it near Lyon 3e, with its distance.
    found = anonymous.call("get", "/api/v1/listings/?near=69003", expect=200).json()
    assert set(found) == {"count", "next", "previous", "results"}
    [hit] = [r for r in found["results"] if r["id"] == listing["id"]]
    assert hit["distance_km"] < 2 and hit["status"] == "published"
    assert iso(hit["expires_at"]) > iso(hit["published_at"])
    far = anonymous.call("get", "/api/v1/listings/?near=13001&radius_km=20", expect=200).json()
    assert listing["id"] not in [r["id"] for r in far["results"]]

    # Beta (Villeurbanne) joins the same way and writes to Alpha about the offer.
    beta = App()
    beta.sign_up("achats@beta.fr")
    company_b = beta.declare("Beta Industrie", "69100")
    convo_body = {"listing": listing["id"], "body": "Bonjour, libre dès lundi ?"}
    beta.call("post", "/api/v1/conversations/", convo_body, expect=403)  # not verified yet
    moderator.call("post", f"/api/v1/moderation/companies/{company_b['id']}/verify/", expect=200)
    alpha.call("post", "/api/v1/conversations/", convo_body, expect=400)  # its own listing
    conversation = beta.call("post", "/api/v1/conversations/", convo_body, expect=201).json()
    again = beta.call(
        "post", "/api/v1/conversations/", {"listing": listing["id"], "body": "Et mardi ?"},
        expect=200,
    ).json()  # fmt: skip
    assert again["id"] == conversation["id"]

    inbox = alpha.call("get", "/api/v1/conversations/", expect=200).json()
    inbox = inbox["results"] if isinstance(inbox, dict) else inbox
    [entry] = inbox
    assert set(entry) >= {"id", "listing", "companies", "last_message", "unread_count",
                          "updated_at"}  # fmt: skip
    assert entry["listing"] == {"id": listing["id"], "title": "Entrepôt sec 400 m²",
                                "kind": "offer"}  # fmt: skip
    assert sorted(c["id"] for c in entry["companies"]) == sorted([company_a["id"],
                                                                  company_b["id"]])  # fmt: skip
    assert entry["unread_count"] == 2 and entry["last_message"]["body"] == "Et mardi ?"

    # Alpha answers (a repeated client_id is not a duplicate), then reads.
    url = f"/api/v1/conversations/{conversation['id']}/messages/"
    reply = {"body": "Oui, passez mardi.", "client_id": "alpha-1"}
    message = alpha.call("post", url, reply, expect=201).json()
    assert set(message) == MESSAGE_FIELDS
    assert message["company"] == {"id": company_a["id"], "name": "Alpha Logistique"}
    assert message["client_id"] == "alpha-1" and iso(message["created_at"])
    assert alpha.call("post", url, reply, expect=200).json()["id"] == message["id"]
    alpha.call("post", url, {"body": ""}, expect=400)
    page = beta.call("get", url, expect=200).json()
    assert set(page) >= {"results", "next_before"} and page["next_before"] is None
    assert [m["body"] for m in page["results"]] == [
        "Oui, passez mardi.", "Et mardi ?", "Bonjour, libre dès lundi ?"
    ]  # fmt: skip
    beta_inbox = beta.call("get", "/api/v1/conversations/", expect=200).json()
    beta_inbox = beta_inbox["results"] if isinstance(beta_inbox, dict) else beta_inbox
    assert beta_inbox[0]["unread_count"] == 1
    beta.call("post", f"/api/v1/conversations/{conversation['id']}/read/",
              {"up_to": message["id"]}, expect=204)  # fmt: skip
    beta_inbox = beta.call("get", "/api/v1/conversations/", expect=200).json()
    beta_inbox = beta_inbox["results"] if isinstance(beta_inbox, dict) else beta_inbox
    assert beta_inbox[0]["unread_count"] == 0
    outsider = App()
    outsider.sign_up("curieux@gamma.fr")
    outsider.call("get", url, expect=404)

    # Beta's need nearby is matched with Alpha's offer, with distance and score parts.
    need = {
        "kind": "need", "title": "Recherche entrepôt sec 300 m²", "category": "entrepot-sec",
        "description": "Stockage de palettes pendant trois mois.", "quantity": "300",
        "unit": "m2", "terms": "rent", "submit": True,
    }  # fmt: skip
    need = beta.call("post", "/api/v1/listings/", need, expect=201).json()
    moderator.call("post", f"/api/v1/moderation/listings/{need['id']}/approve/", expect=200)
    matches = alpha.call("get", f"/api/v1/listings/{listing['id']}/matches/", expect=200).json()
    [match] = [m for m in matches if m["listing"]["id"] == need["id"]]
    assert 0 < match["score"] <= 1 and match["distance_km"] < 10
    assert set(match["reasons"]) >= {"category", "distance", "availability", "quantity", "text"}
    beta.call("get", f"/api/v1/listings/{listing['id']}/matches/", expect=403)  # not its own

    # A report reaches the moderator's queue; the log records who did what.
    report = {"target_type": "listing", "target_id": need["id"], "reason": "Doublon ?"}
    alpha.call("post", "/api/v1/reports/", report, expect=201)
    reports = moderator.call("get", "/api/v1/moderation/reports/?status=open", expect=200).json()
    reports = reports["results"] if isinstance(reports, dict) else reports
    assert [r["target_id"] for r in reports] == [need["id"]]
    log = moderator.call("get", "/api/v1/moderation/log/", expect=200).json()
    log = log["results"] if isinstance(log, dict) else log
    assert {"id", "actor", "action", "target_type", "target_id", "reason", "created_at"} <= set(
        log[0]
    )
    rejected = [e for e in log if e["reason"] == "Précisez la hauteur sous plafond."]
    assert len(rejected) == 1 and rejected[0]["target_id"] == listing["id"]
    alpha.call("get", "/api/v1/moderation/log/", expect=403)
    stats = moderator.call("get", "/api/v1/moderation/stats/?departement=69", expect=200).json()
    assert {"companies", "listings", "listings_by_category", "conversations", "messages",
            "fulfilled", "median_hours_to_first_contact"} <= set(stats)  # fmt: skip
    assert stats["conversations"] == 1 and stats["messages"] == 3

    # Alpha closes the deal with Beta.
    closed = alpha.call(
        "post", f"/api/v1/listings/{listing['id']}/close/",
        {"outcome": "fulfilled", "partner_company": company_b["id"]}, expect=200,
    ).json()  # fmt: skip
    assert closed["status"] == "fulfilled"
    found = anonymous.call("get", "/api/v1/listings/?near=69003", expect=200).json()
    assert listing["id"] not in [r["id"] for r in found["results"]]

    # Beta's user downloads their data, then deletes the account: Alpha keeps the conversation,
    # the messages no longer name their author.
    export = beta.call("get", "/api/v1/me/export/", expect=200)
    exported = export.content.decode()
    assert "achats@beta.fr" in exported and "Bonjour, libre dès lundi ?" in exported
    # Deleting asks for the password again (allauth's reauthenticate flow).
    refused = beta.call("delete", "/api/v1/me/", expect=401).json()
    assert {"id": "reauthenticate"} in refused["data"]["flows"]
    beta.call("post", f"{AUTH}/reauthenticate", {"password": PASSWORD}, expect=200)
    beta.call("delete", "/api/v1/me/", expect=204)
    beta.call("get", "/api/v1/me/", expect=401)
    beta.token = None
    login = {"email": "achats@beta.fr", "password": PASSWORD}
    assert beta.call("post", f"{AUTH}/login", login).status_code == 400
    page = alpha.call("get", url, expect=200).json()
    assert len(page["results"]) == 3
    theirs = [m for m in page["results"] if m["company"]["id"] == company_b["id"]]
    assert len(theirs) == 2
    for m in theirs:
        assert m["sender"]["id"] is None and "achats" not in m["sender"]["name"]
    assert "achats@beta.fr" not in str(page)
