"""Signals other apps listen to, so accounts need not know who cares (a lower layer never
imports a higher one).

`company_left` is sent inside the transaction in which the last member of a company left it or
deleted their account (kwargs: company_id). The company has just left the exchange (status
`left`); a receiver withdraws what the company had on offer there, in that same transaction,
and must only store durable work through bourse.core.outbox. The listings app withdraws the
company's open listings from it.
"""

from django.dispatch import Signal

company_left = Signal()
