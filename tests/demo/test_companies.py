"""The demo data set of accounts: realistic, valid, idempotent."""

import io
import random
from collections import Counter

import pytest
from django.core.management import call_command
from django.test import Client
from stdnum.fr import siret as stdnum_siret

from accounts.models import Company, Membership, Moderator, User
from bourse.demo import companies as demo

pytestmark = pytest.mark.django_db


def load(seed: int = 20200317) -> random.Random:
    rng = random.Random(seed)
    demo.load(rng=rng, stdout=io.StringIO())
    return rng


def test_luhn_completion_gives_valid_sirets():
    rng = random.Random(1)
    assert all(stdnum_siret.is_valid(demo.make_siret(rng)) for _ in range(200))
    assert demo.luhn_complete("73282932") == "732829320"


def test_french_elision_in_company_names():
    assert demo.company_name("Vergers de {lieu}", "Martin", "Arras") == "Vergers d'Arras"
    assert demo.company_name("Vergers de {lieu}", "Martin", "Caen") == "Vergers de Caen"


def test_demo_set_is_realistic_and_idempotent():
    first_rng = load()
    counts = (User.objects.count(), Company.objects.count(), Membership.objects.count())
    second_rng = load()
    # Nothing new the second time, and the same random stream left for the next modules.
    assert (User.objects.count(), Company.objects.count(), Membership.objects.count()) == counts
    assert first_rng.random() == second_rng.random()

    companies = list(Company.objects.all())
    assert 140 <= len(companies) <= 160
    assert set(Counter(c.departement for c in companies)) == set(demo.DEPARTEMENTS)
    statuses = Counter(c.status for c in companies)
    assert statuses["pending"] >= 12 and 1 <= statuses["suspended"] <= 2
    assert statuses["verified"] > len(companies) * 0.8
    assert all(stdnum_siret.is_valid(c.siret) and c.siren == c.siret[:9] for c in companies)
    assert all(c.memberships.filter(role="admin").exists() for c in companies)
    assert Membership.objects.values("company").distinct().count() == len(companies)
    assert Membership.objects.count() > len(companies)  # some companies have two members


def test_demo_logins_work_and_moderators_exist():
    load()
    client = Client()
    assert client.login(email="demo.lyon@example.fr", password=demo.DEMO_PASSWORD)
    lyon = User.objects.get(email="demo.lyon@example.fr").membership.company
    assert lyon.status == "verified" and lyon.departement == "69"
    waiting = User.objects.get(email="demo.attente@example.fr").membership.company
    assert waiting.status == "pending"
    rhone = Moderator.objects.get(user__email="moderateur.rhone@example.fr")
    assert sorted(rhone.departements) == ["42", "69"] and not rhone.is_national
    assert Moderator.objects.get(user__email="moderateur.national@example.fr").is_national
    assert User.objects.get(email="admin@example.fr").is_superuser


def test_demo_logins_command_prints_accounts_and_password():
    load()
    out = io.StringIO()
    call_command("demo_logins", stdout=out)
    text = out.getvalue()
    assert demo.DEMO_PASSWORD in text
    assert "demo.lyon@example.fr" in text and "moderateur.national@example.fr" in text


def test_demo_logins_command_without_data():
    out = io.StringIO()
    call_command("demo_logins", stdout=out)
    assert "load_demo" in out.getvalue()
