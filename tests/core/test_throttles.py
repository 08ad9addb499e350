"""Limits: writes per user and per company (API 429 + Retry-After, French page), failed logins
per (account, IP) answered 429, request bodies refused before they are read, photo decodes
capped."""

import asyncio
import io

import pytest
from django.test import Client

from bourse.core.limits import BodySizeLimit
from tests import factories

pytestmark = pytest.mark.django_db

BASE = "/_allauth/app/v1"


@pytest.fixture
def rates(settings):
    def set_rates(**rates):
        settings.REST_FRAMEWORK = {
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {
                "writes_user": "100/min",
                "writes_company": "100/min",
                "photo_uploads": "100/min",
                **rates,
            },
        }

    return set_rates


def _patch_me(client):
    return client.patch("/api/v1/me/", {"first_name": "Camille"}, content_type="application/json")


def test_api_writes_per_user_answer_429_with_retry_after(rates, client_for):
    rates(writes_user="3/min")
    client = client_for(factories.MembershipFactory().user)
    assert [_patch_me(client).status_code for _ in range(3)] == [200, 200, 200]
    response = _patch_me(client)
    assert response.status_code == 429
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    assert response.json()["detail"].startswith("Trop de requêtes : réessayez dans")
    assert client.get("/api/v1/me/").status_code == 200  # reads are never throttled


def test_api_writes_per_company_add_up_its_members(rates, client_for):
    rates(writes_company="4/min")
    company = factories.CompanyFactory()
    alice, bob = (client_for(factories.MembershipFactory(company=company).user) for _ in "ab")
    outsider = client_for(factories.MembershipFactory().user)
    statuses = [_patch_me(client).status_code for client in (alice, bob, alice, bob, alice)]
    assert statuses == [200, 200, 200, 200, 429]
    assert _patch_me(bob).status_code == 429
    assert _patch_me(outsider).status_code == 200  # another company has its own budget


def test_photo_uploads_have_their_own_budget(rates, client_for):
    rates(photo_uploads="1/min")
    listing = factories.ListingFactory()
    client = client_for(factories.MembershipFactory(company=listing.company).user)
    url = f"/api/v1/listings/{listing.pk}/photos/"
    first = client.post(url, {"image": io.BytesIO(b"not an image")}, format="multipart")
    assert first.status_code == 400  # counted, refused for its content
    second = client.post(url, {"image": io.BytesIO(b"not an image")}, format="multipart")
    assert second.status_code == 429 and "Retry-After" in second.headers


def test_page_writes_share_the_budget_and_answer_a_french_page(rates):
    rates(writes_user="2/min")
    client = Client()
    client.force_login(factories.MembershipFactory().user)
    form = {"first_name": "Camille", "last_name": "Roux", "phone": ""}
    assert [client.post("/mon-compte/", form).status_code for _ in range(2)] == [302, 302]
    response = client.post("/mon-compte/", form)
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) >= 1
    assert "Trop de demandes" in response.content.decode()
    assert client.get("/mon-compte/").status_code == 200


# --- Login ---------------------------------------------------------------------------------


def _login(email, password, ip="203.0.113.7"):
    return Client(REMOTE_ADDR=ip).post(
        f"{BASE}/auth/login",
        {"email": email, "password": password},
        content_type="application/json",
    )


def test_failed_logins_answer_429_with_retry_after():
    user = factories.UserFactory()
    codes = [_login(user.email, "pas-le-bon").status_code for _ in range(5)]
    assert codes == [400] * 5
    response = _login(user.email, "pas-le-bon")
    assert response.status_code == 429
    assert 250 <= int(response.headers["Retry-After"]) <= 300  # 5 failures per 5 minutes
    # From the attacker's address even the right password waits...
    assert _login(user.email, factories.PASSWORD).status_code == 429


def test_someone_failing_elsewhere_cannot_lock_the_owner_out():
    victim = factories.UserFactory()
    for _ in range(6):
        _login(victim.email, "pas-le-bon", ip="198.51.100.66")  # the attacker
    assert _login(victim.email, "pas-le-bon", ip="198.51.100.66").status_code == 429
    response = _login(victim.email, factories.PASSWORD, ip="203.0.113.7")  # the owner
    assert response.status_code == 200
    assert "session_token" in response.json()["meta"]


def test_one_address_trying_many_accounts_is_stopped():
    users = factories.UserFactory.create_batch(11)
    codes = [_login(user.email, "pas-le-bon", ip="198.51.100.9").status_code for user in users]
    assert codes[:10] == [400] * 10 and codes[10] == 429  # 10 failures a minute per address


def test_the_login_page_answers_429_in_french():
    user = factories.UserFactory()
    client = Client(REMOTE_ADDR="203.0.113.8")
    for _ in range(5):
        client.post("/comptes/login/", {"login": user.email, "password": "pas-le-bon"})
    response = client.post("/comptes/login/", {"login": user.email, "password": "pas-le-bon"})
    assert response.status_code == 429
    assert "Retry-After" in response.headers
    assert "Trop de tentatives de connexion" in response.content.decode()


# --- Request size and decodes --------------------------------------------------------------


def _run_asgi(app, headers, chunks):
    sent, reads = [], []
    pending = list(chunks)

    async def receive():
        reads.append(1)
        body = pending.pop(0) if pending else b""
        return {"type": "http.request", "body": body, "more_body": bool(pending)}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/api/v1/listings/", "headers": headers}
    asyncio.run(app(scope, receive, send))
    return sent, reads


def test_a_declared_oversized_body_is_refused_before_reading():
    async def never(scope, receive, send):
        raise AssertionError("the application must not run")

    sent, reads = _run_asgi(
        BodySizeLimit(never, 12 * 1024 * 1024),
        [(b"content-length", str(150 * 1024 * 1024).encode())],
        [b"x" * 10],
    )
    assert sent[0]["status"] == 413 and reads == []
    assert "12 Mo" in sent[1]["body"].decode()


def test_a_streamed_body_is_cut_off_at_the_limit():
    seen = []

    async def app(scope, receive, send):
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return  # as Django does: the request is abandoned
            seen.append(len(message["body"]))
            if not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})

    sent, reads = _run_asgi(BodySizeLimit(app, 1000), [], [b"x" * 600] * 100)
    assert [m.get("status") for m in sent if m["type"] == "http.response.start"] == [413]
    assert len(reads) == 2  # stopped reading at the chunk that crossed the limit


def test_the_application_is_wrapped_with_the_limit(settings):
    from bourse.asgi import application

    http = application.application_mapping["http"]
    assert isinstance(http, BodySizeLimit)
    assert http.max_bytes == settings.REQUEST_MAX_BODY_BYTES


def test_photo_decodes_are_capped(settings):
    from bourse.listings import photos

    settings.PHOTO_DECODE_WAIT = 0.01
    taken = 0
    while photos._decodes.acquire(blocking=False):  # every slot busy
        taken += 1
    try:
        with pytest.raises(Exception, match="beaucoup de photos"):
            photos.clean_photo(io.BytesIO(b"whatever"))
    finally:
        for _ in range(taken):
            photos._decodes.release()
    assert taken == settings.PHOTO_DECODE_CONCURRENCY
