"""The OpenAPI 3.1 document of the tickets API v1, served at `/api/v1/openapi.json`.

Written by hand from `bot.api.payloads` and `bot.api.views`; the labels' values come from the
domain's enums, so a new team or status appears here by itself. A test checks that every route
of `TicketsApi.routes()` is documented, with its methods.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from bot.api.payloads import (
    DEFAULT_LIMIT,
    MAX_ASSIGNEE_CHARS,
    MAX_LIMIT,
    MAX_NOTE_CHARS,
    MAX_ORGANISATION_CHARS,
    MAX_QUERY_CHARS,
)
from bot.sla.queue import SlaState
from bot.tickets import Channel, Kind, Language, Level, Severity, Status, Team


def _enum(kind: type[StrEnum], *, nullable: bool = False) -> dict[str, Any]:
    values: list[Any] = [member.value for member in kind]
    return {
        "type": ["string", "null"] if nullable else "string",
        "enum": values + [None] * nullable,
    }


_STRING = {"type": "string"}
_TEXT_OR_NULL = {"type": ["string", "null"]}
_INSTANT = {"type": "string", "format": "date-time"}
_NUMBER = {
    "name": "number",
    "in": "path",
    "required": True,
    "description": "The ticket number, like CSC-000123 (csc-123 is read the same).",
    "schema": {"type": "string"},
}


def _error(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def _json(ref: str, description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}},
    }


_UNAUTHORISED = _error("No valid bearer token (see the WWW-Authenticate header).")
_FORBIDDEN = _error("The ticket is outside the account's teams and levels.")
_BAD = _error("A field is wrong: `field` names it (unknown, wrong type, unknown value).")
_UNKNOWN = _error("No ticket has this number, or it is not a ticket number.")
_REFUSED = _error("A business rule refused the change (in the account's language).")
_TOO_LARGE = _error("The body is larger than 64 KiB.")
_BODY_ERRORS = {"400": _BAD, "401": _UNAUTHORISED, "403": _FORBIDDEN, "404": _UNKNOWN}

SUMMARY: dict[str, Any] = {
    "type": "object",
    "required": ["number", "status", "created_at", "updated_at", "to_confirm"],
    "properties": {
        "number": _STRING,
        "status": _enum(Status),
        "kind": _enum(Kind, nullable=True),
        "severity": _enum(Severity, nullable=True),
        "level": _enum(Level, nullable=True),
        "team": _enum(Team, nullable=True),
        "organisation": _STRING,
        "language": _enum(Language),
        "channel": _enum(Channel),
        "subject": _STRING,
        "assignee": _TEXT_OR_NULL,
        "created_at": _INSTANT,
        "updated_at": _INSTANT,
        "to_confirm": {
            "type": "boolean",
            "description": "A severity raised on ambiguous evidence waits for an agent.",
        },
    },
}

TICKET: dict[str, Any] = {
    "allOf": [
        {"$ref": "#/components/schemas/TicketSummary"},
        {
            "type": "object",
            "properties": {
                "proposal": {
                    "type": ["object", "null"],
                    "description": "The classifier's proposal: labels, confidences, evidence.",
                },
                "model_version": _TEXT_OR_NULL,
                "messages": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "direction": {"type": "string", "enum": ["in", "out"]},
                            "channel": _STRING,
                            "at": _INSTANT,
                            "sender": _STRING,
                            "subject": _STRING,
                            "body": {"type": "string", "description": "The text (never raw)."},
                            "attachments": {
                                "type": "array",
                                "items": {
                                    "type": "object",
                                    "properties": {
                                        "filename": _STRING,
                                        "content_type": _STRING,
                                        "size": {"type": "integer"},
                                        "inline": {"type": "boolean"},
                                    },
                                },
                            },
                        },
                    },
                },
                "events": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "type": _STRING,
                            "at": _INSTANT,
                            "actor": _STRING,
                            "data": {"type": "object"},
                        },
                    },
                },
            },
        },
    ]
}

CHANGES: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "minProperties": 1,
    "description": "Any of these; each is logged with the account as actor (console:<email>).",
    "properties": {
        "kind": _enum(Kind),
        "severity": {
            **_enum(Severity, nullable=True),
            "description": "Incidents only; null clears it (a request has none).",
        },
        "team": _enum(Team),
        "level": _enum(Level),
        "status": _enum(Status),
        "assignee": {
            "type": ["string", "null"],
            "format": "email",
            "description": "An active account's email address; null unassigns.",
        },
    },
}

NOTE: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["body", "internal"],
    "properties": {
        "body": {"type": "string", "minLength": 1, "maxLength": MAX_NOTE_CHARS},
        "internal": {
            "type": "boolean",
            "description": "true: a note for agents, sent to no one; false: a public answer "
            "sent to the requester (by mail or in their Slack thread).",
        },
    },
}


def _query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
    }


DOCUMENT: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "Guichet tickets API",
        "version": "1",
        "description": "The service desk's tickets for integrations and scripts. Send "
        "`Authorization: Bearer <token>` (`python -m bot tokens create --user EMAIL`). "
        "Errors are JSON `{error, field}`.",
    },
    "security": [{"bearer": []}],
    "paths": {
        "/api/v1/tickets": {
            "get": {
                "operationId": "listTickets",
                "summary": "The queue: 'to confirm' first, then the newest.",
                "parameters": [
                    _query("status", _enum(Status), "Only this status."),
                    _query("severity", _enum(Severity), "Only this severity."),
                    _query("team", _enum(Team), "Only this team."),
                    _query("level", _enum(Level), "Only this support level."),
                    _query(
                        "organisation",
                        {"type": "string", "maxLength": MAX_ORGANISATION_CHARS},
                        "Only this client organisation's id.",
                    ),
                    _query(
                        "assignee",
                        {"type": "string", "maxLength": MAX_ASSIGNEE_CHARS},
                        "`me`, `none` (unassigned) or an agent's email address.",
                    ),
                    _query(
                        "sla",
                        _enum(SlaState),
                        "Unfinished tickets past their restoration target (`breached`) or "
                        "warned at 75 % or more of it (`at_risk`).",
                    ),
                    _query(
                        "q",
                        {"type": "string", "maxLength": MAX_QUERY_CHARS},
                        "Words the subject or what the requester wrote contain (every word, "
                        "as a prefix, accents ignored).",
                    ),
                    _query(
                        "limit",
                        {
                            "type": "integer",
                            "minimum": 1,
                            "maximum": MAX_LIMIT,
                            "default": DEFAULT_LIMIT,
                        },
                        "How many tickets.",
                    ),
                    _query(
                        "offset", {"type": "integer", "minimum": 0, "default": 0}, "Skip these."
                    ),
                ],
                "responses": {
                    "200": {
                        "description": "The tickets the account may see.",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "tickets": {
                                            "type": "array",
                                            "items": {"$ref": "#/components/schemas/TicketSummary"},
                                        },
                                        "limit": {"type": "integer"},
                                        "offset": {"type": "integer"},
                                    },
                                }
                            }
                        },
                    },
                    "400": _BAD,
                    "401": _UNAUTHORISED,
                },
            }
        },
        "/api/v1/tickets/{number}": {
            "parameters": [_NUMBER],
            "get": {
                "operationId": "getTicket",
                "summary": "A ticket with its messages, attachments, proposal and log.",
                "responses": {
                    "200": _json("Ticket", "The ticket."),
                    "401": _UNAUTHORISED,
                    "403": _FORBIDDEN,
                    "404": _UNKNOWN,
                },
            },
            "patch": {
                "operationId": "changeTicket",
                "summary": "Change its kind, severity, team, level, status or assignee.",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Changes"}}
                    },
                },
                "responses": {
                    "200": _json("TicketSummary", "The ticket as changed."),
                    **_BODY_ERRORS,
                    "409": _REFUSED,
                    "413": _TOO_LARGE,
                },
            },
        },
        "/api/v1/tickets/{number}/notes": {
            "parameters": [_NUMBER],
            "post": {
                "operationId": "addNote",
                "summary": "An internal note, or a public answer to the requester.",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Note"}}
                    },
                },
                "responses": {
                    "201": {
                        "description": "Logged (and, when public, queued for the requester).",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "number": _STRING,
                                        "internal": {"type": "boolean"},
                                    },
                                }
                            }
                        },
                    },
                    **_BODY_ERRORS,
                    "409": _error("A public answer, but the ticket has nowhere to answer."),
                    "413": _TOO_LARGE,
                },
            },
        },
        "/api/v1/openapi.json": {
            "get": {
                "operationId": "openapi",
                "summary": "This document.",
                "security": [],
                "responses": {"200": {"description": "The OpenAPI 3.1 document."}},
            }
        },
    },
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        "schemas": {
            "TicketSummary": SUMMARY,
            "Ticket": TICKET,
            "Changes": CHANGES,
            "Note": NOTE,
            "Error": {
                "type": "object",
                "required": ["error"],
                "properties": {
                    "error": {"type": "string", "description": "What went wrong, what to do."},
                    "field": {"type": "string", "description": "The field to fix."},
                },
            },
        },
    },
}
