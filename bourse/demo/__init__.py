"""The demo data set that `make run` loads: companies of seven départements and their people,
two moderators, listings that fit each company's trade, matches and live conversations.

The top layer of the project: it calls every app's services and nothing imports it. `loader`
runs the parts in order with one seeded generator; `manage.py load_demo` and `demo_logins` are
its commands.
"""
