"""Outbound webhooks: ticket events POSTed, signed, to the operator's endpoints.

`watcher.WebhookWatcher` reads the ticket log past its cursor and queues one outbox row per
event and subscribed endpoint; the outbox delivers them through `sender.WebhookSender` with its
retries. What the operator declares is `bot.settings_webhooks.WebhookEntry` (beside the
settings, which every layer may read); `signature.verify` is what a receiver runs.
"""
