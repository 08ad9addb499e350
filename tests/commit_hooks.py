"""A test client whose every request runs the on-commit hooks it registered, as a request does
in production (autocommit): e-mails of the outbox leave before the response is read, even in a
test wrapped in one transaction."""

from django.test import Client, TestCase


class CommittingClient(Client):
    def request(self, **request):
        with TestCase.captureOnCommitCallbacks(execute=True):
            return super().request(**request)
