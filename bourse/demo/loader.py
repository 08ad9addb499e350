"""Load the demo data set: the parts in order, one seeded generator, only demo companies.

Idempotent, whatever else the database holds: the companies are those the plan names (by SIRET
and first member), and every later part works only on them and on what this run created. A
second run creates nothing, announces nothing and leaves alone the companies people registered
by hand.
"""

from __future__ import annotations

import random

from django.core import mail
from django.db import transaction
from django.test.utils import override_settings

from . import companies, conversations, listings, matching

SEED = 20200317


def load_demo(stdout, *, seed: int = SEED, target: int | None = None) -> None:
    """Load what is missing of the demo set; `target` listings (listings.TARGET by default)."""
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    # The services send e-mails (verifications, invitations, matches) through the outbox after
    # commit; for demo data they run inline (whatever TASKS_BACKEND says, so no worker sends
    # them later) and are kept in memory rather than printed or sent.
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}},
    ):
        previous = getattr(mail, "outbox", None)
        mail.outbox = []
        with transaction.atomic():
            demo = companies.load(rng=rng, stdout=stdout)
        with transaction.atomic():
            created = listings.load(
                rng=rng, stdout=stdout, companies=demo, target=target or listings.TARGET
            )
        matching.load(rng=rng, stdout=stdout, companies=demo, listings=created)
        conversations.load(stdout=stdout, companies=demo)
        held = len(mail.outbox)
        if previous is None:
            del mail.outbox
        else:
            mail.outbox = previous
    if held:
        stdout.write(f"{held} notification e-mails of the demo data were not sent.")
