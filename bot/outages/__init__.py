"""Outages and planned interruptions: the registry, its broadcasts (Slack announcement channel,
mail distribution lists, status page and Atom feed), the tickets linked to an outage, the
watcher that announces planned interruptions, the HTTP API and the ``outage`` command.

The registry's functions (`bot.outages.registry`) write inside the caller's session, with the
outbox rows their notices cause; the caller commits. Rendering is in `bot.outages.render`,
matching a new report to a known outage in `bot.outages.matching` (both pure).
"""
