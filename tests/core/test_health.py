import pytest
from channels.layers import channel_layers
from django.test import override_settings


@pytest.fixture
def reset_channel_layers():
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


@pytest.mark.django_db
def test_healthz_reports_every_part_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert {k: body[k] for k in ("database", "channel_layer", "cache")} == {
        "database": "ok",
        "channel_layer": "ok",
        "cache": "ok",
    }
    # Details of the side-effect path come with it and never change the status.
    assert body["outbox"]["failed"] == 0
    assert body["scheduler"]["failing"] == [] and body["scheduler"]["overdue"] == []
    # No scheduler ran in this test: /healthz says so.
    assert "core.outbox_sweep" in body["scheduler"]["never_run"]


@pytest.mark.django_db
def test_healthz_names_the_cache_when_it_is_down(client):
    unreachable = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    with override_settings(CACHES=unreachable):
        response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["database"] == "ok"
    assert body["cache"].startswith("error")


@pytest.mark.django_db
def test_healthz_names_the_channel_layer_when_it_is_down(client, settings, reset_channel_layers):
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": ["redis://127.0.0.1:1/0"]},
        }
    }
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["channel_layer"].startswith("error")
    assert body["database"] == "ok"
