"""`python -m bot mailbox login NAME`: sign a delegated OAuth2 mailbox in (device-code flow).

The command prints the address to open and the code to type (Microsoft's own sentence), waits
while a person signs in there as the mailbox's user, then keeps the tokens in
DATA_DIR/oauth2/NAME.json (mode 0600); the service reads and sends with them from then on.
"""

from __future__ import annotations

import argparse
import sys

from bot.errors import SettingError

EPILOG = """\
example:
  python -m bot mailbox login csc     (the mailbox [[imap_mailboxes]] name = "csc", with
                                       auth = "oauth2" and oauth2.flow = "device_code")
exit status: 0 signed in, 1 the sign-in failed, 2 no such delegated mailbox.
"""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    mailbox = subparsers.add_parser(
        "mailbox",
        help="OAuth2 mailboxes (login: sign a delegated mailbox in)",
        description="Operations on the configured mailboxes.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = mailbox.add_subparsers(dest="mailbox_command", metavar="ACTION", required=True)
    login = actions.add_parser(
        "login", help="sign in as a delegated mailbox's user (device code)", epilog=EPILOG
    )
    login.add_argument("name", metavar="NAME", help="the mailbox's name in the settings")
    login.set_defaults(handler=_login)


def _login(args: argparse.Namespace) -> int:
    from bot.channels import token_cache_path
    from bot.settings import Settings
    from intake.auth.delegated import login
    from intake.errors import OperatorError

    settings = Settings()
    found = [m for m in settings.mailboxes() if m.name == args.name]
    if not found or found[0].oauth2 is None or found[0].oauth2.flow != "device_code":
        raise SettingError(
            "GUICHET_IMAP_MAILBOXES",
            f'no mailbox {args.name!r} with auth = "oauth2" and oauth2.flow = "device_code" '
            "(a client-credentials mailbox needs no sign-in)",
        )
    box = found[0]
    assert box.oauth2 is not None
    path = token_cache_path(settings, box.name)
    try:
        account = login(
            box.oauth2.config(), box.username, path, lambda text: print(text, flush=True)
        )
    except OperatorError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"signed in as {account}; tokens kept in {path}")
    return 0
