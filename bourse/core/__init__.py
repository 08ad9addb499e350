"""The platform every app stands on, and which imports none of them.

It owns what no domain app should write for itself: the one way out for side effects (durable
e-mails and background work, real-time events), the periodic jobs, the service error that the
API and the pages translate, and the checks on text that comes in at the edge.
"""
