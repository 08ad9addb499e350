"""bench/http_load.py's floor view exists only when BENCH_FLOOR_VIEW is on: never by default."""

import importlib

import pytest
from django.test import override_settings
from django.urls import clear_url_caches

import bourse.urls


@pytest.fixture
def urls_reloaded():
    yield
    clear_url_caches()
    importlib.reload(bourse.urls)
    clear_url_caches()


def test_floor_view_is_not_routed_by_default(client):
    assert client.get("/bench/floor").status_code == 404


@pytest.mark.django_db
def test_floor_view_answers_json_when_enabled(client, urls_reloaded, django_assert_num_queries):
    with override_settings(BENCH_FLOOR_VIEW=True):
        clear_url_caches()
        importlib.reload(bourse.urls)
        with django_assert_num_queries(0):
            response = client.get("/bench/floor")
    assert response.status_code == 200
    assert response.json() == {"ok": True}
    assert client.post("/bench/floor").status_code in (403, 405)
