"""The tickets API v1 (`/api/v1/...`): the queue, a ticket with its thread and log, the agents'
changes and notes, for integrations and the console's own scripts. JSON in, JSON out, bearer
tokens tied to an account (`bot.accounts.tokens`); every change goes through the ticket
domain's actions, with the account as the actor (`console:<email>`).

- `http`: the HTTP discipline (bearer header, body limits, JSON parsing, error bodies);
- `payloads`: what the client may send, checked field by field (400 names the field);
- `views`: a ticket as JSON (never raw bytes);
- `tickets`: the handlers and their routes; `openapi`: the document at `/api/v1/openapi.json`.
"""

from bot.api.tickets import TicketsApi

__all__ = ["TicketsApi"]
