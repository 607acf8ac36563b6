"""End to end over our synthetic samples, through `inspect_file` (what `inspect-email` prints:
intake's reading plus the bot's language and thread)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.commands.inspect import FORMAT, inspect_bytes, inspect_file
from intake.mail.inspect import inspect_file as intake_fields
from tests.intake.mail.conftest import SAMPLES


def inspect(name: str) -> dict[str, Any]:
    return inspect_file(SAMPLES / name, details=True)


def test_every_sample_gives_the_full_shape() -> None:
    keys = {
        "path",
        "message_id",
        "from",
        "subject",
        "language",
        "automated",
        "body",
        "attachments",
        "thread",
        "error",
    }
    for path in sorted(SAMPLES.glob("*.eml")):
        result = inspect_file(path)
        assert set(result) == keys, path.name  # exactly the evaluation format
        assert list(result) == list(FORMAT), path.name  # in its order
        assert set(result["thread"]) == {"ticket", "reason"}
    detailed = inspect_file(SAMPLES / "bounce_exim_text.eml", details=True)
    assert list(detailed) == [*FORMAT, "automated_evidence", "bounce"]


def test_intake_reads_no_language_and_no_thread() -> None:
    fields = intake_fields(SAMPLES / "outlook_fr_reply.eml")
    assert "language" not in fields and "thread" not in fields
    assert fields["subject"] == "RE : [CSC-000123] Imprimante en panne"


@pytest.mark.parametrize(
    ("headers", "thread"),
    [
        ("In-Reply-To: <csc-1000000.0a1b@guichet.example>\n", ("CSC-1000000", "in_reply_to")),
        ("", ("CSC-1000000", "subject_tag")),
    ],
)
def test_ticket_one_million_threads(headers: str, thread: tuple[str, str]) -> None:
    raw = f"From: a@b.example\nSubject: RE: [CSC-1000000] Imprimante\n{headers}\nMerci\n"
    result = inspect_bytes(raw.encode())
    assert (result["thread"]["ticket"], result["thread"]["reason"]) == thread


def test_outlook_french_reply() -> None:
    result = inspect("outlook_fr_reply.eml")
    assert result["from"] == "josee.tremblay@finances.example"
    assert result["subject"] == "RE : [CSC-000123] Imprimante en panne"
    assert result["message_id"] == (
        "YT1PR01MB8123ABCDEF0123456789@YT1PR01MB8123.CANPRD01.PROD.OUTLOOK.COM"
    )
    assert result["language"] == "fr"
    assert result["automated"] is None
    assert result["thread"] == {"ticket": "CSC-000123", "reason": "in_reply_to"}
    body = result["body"]
    assert body.startswith("Bonjour,")
    assert "« Erreur 49 »" in body and "L’imprimante" in body  # windows-1252 under a latin-1 label
    assert "Objet" not in body and "votre demande CSC-000123 a été reçue" not in body
    assert "418 555-0199" not in body  # signature after the sign-off
    assert result["attachments"] == [
        {"filename": "image001.png", "content_type": "image/png", "size": 208}
    ]


def test_gmail_english_reply_with_wrapped_attribution() -> None:
    result = inspect("gmail_en_reply.eml")
    assert result["language"] == "en"
    assert result["from"] == "mark.oneil@gmail.example"
    assert result["thread"] == {"ticket": "CSC-000124", "reason": "in_reply_to"}
    assert "authentication failed" in result["body"]
    assert "wrote" not in result["body"] and "has been received" not in result["body"]


def test_apple_flowed_reply_threads_by_references() -> None:
    result = inspect("apple_fr_flowed.eml")
    assert result["subject"] == "Re: Accès au dossier partagé"
    assert result["thread"] == {"ticket": "CSC-000125", "reason": "references"}
    # format=flowed joined, quote and "Envoyé de mon iPad" gone
    assert "\\\\srv-fichiers\\projets depuis\nla migration" in result["body"]
    assert "iPad" not in result["body"] and "préciser le chemin" not in result["body"]


def test_html_only_with_charset_in_meta() -> None:
    result = inspect("html_only_meta_charset.eml")
    body = result["body"]
    assert "verrouillé" in body and "J’ai essayé" in body
    assert "PC-04512" in body  # the table survives as text
    assert "font-family" not in body and "<p>" not in body


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("missing_charset_8bit.eml", "démarre sur un écran noir"),
        ("wrong_charset_ascii.eml", "plante au démarrage avec l'erreur « caa70004 »"),
    ],
)
def test_missing_or_wrong_charset(name: str, expected: str) -> None:
    assert expected in inspect(name)["body"]


def test_raw_8bit_subject_and_encoded_name() -> None:
    result = inspect("missing_charset_8bit.eml")
    assert result["subject"] == "Écran noir après la mise à jour"


def test_outlook_forward_keeps_the_forwarded_problem() -> None:
    body = inspect("outlook_forward_tr.eml")["body"]
    assert body.startswith("Peux-tu regarder ceci?")
    assert "code SFTP-13" in body and "Objet : Échec de la synchronisation nocturne" in body
    assert "Synchronisation réussie" not in body  # the forwarded message's own history


def test_forward_as_attachment() -> None:
    result = inspect("forward_as_attachment.eml")
    assert result["body"].startswith("See below")
    assert "error PAY-551" in result["body"]
    assert result["attachments"][0]["content_type"] == "message/rfc822"


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("ooo_exchange_fr.eml", "out_of_office"),
        ("ooo_en_subject.eml", "out_of_office"),
        ("auto_replied_rfc3834.eml", "auto_reply"),
        ("list_newsletter.eml", "list"),
        ("bounce_exchange_fr.eml", "bounce"),
        ("bounce_delay_postfix.eml", "bounce"),
        ("bounce_exim_text.eml", "bounce"),
        ("loop_own_message.eml", "loop"),
        ("outlook_fr_reply.eml", None),
        ("gmail_en_reply.eml", None),
        ("de_at_top_legit.eml", None),
    ],
)
def test_automated_categories(name: str, kind: str | None) -> None:
    assert inspect(name)["automated"] == kind


@pytest.mark.parametrize(
    ("name", "recipients", "permanent"),
    [
        ("bounce_exchange_fr.eml", ["ancien.employe@finances.example"], True),
        ("bounce_delay_postfix.eml", ["busy.user@slow.example"], False),
        ("bounce_exim_text.eml", ["nobody@gone.example"], True),
    ],
)
def test_bounce_details(name: str, recipients: list[str], permanent: bool) -> None:
    bounce = inspect(name)["bounce"]
    assert bounce["recipients"] == recipients
    assert bounce["permanent"] is permanent


def test_de_at_top_is_not_a_quote_header() -> None:
    body = inspect("de_at_top_legit.eml")["body"]
    assert body.startswith("De : Paul Bouchard")
    assert "PC-07781" in body


def test_bottom_posting_keeps_the_answer_only() -> None:
    result = inspect("bottom_post_en.eml")
    assert result["body"] == "It's a Dell Latitude 7440, asset tag QC-22871."


def test_apple_inline_image_and_rfc2231_filename() -> None:
    result = inspect("apple_inline_image_rfc2231.eml")
    assert "j’obtiens" in result["body"] and "piece jointe" in result["body"]
    assert [a["filename"] for a in result["attachments"]] == ["Capture.png", "relevé de compte.pdf"]
    assert result["attachments"][0]["size"] == 1032


def test_sign_off_and_mobile_footer() -> None:
    body = inspect("signoff_mobile_en.eml")["body"]
    assert body.endswith("DisplayPort cable.")


def test_subject_tag_with_french_prefix_and_odd_hyphen() -> None:
    assert inspect("subject_tag_ref.eml")["thread"] == {
        "ticket": "CSC-000456",
        "reason": "subject_tag",
    }


def test_not_an_email_is_reported_not_raised() -> None:
    result = inspect("not_an_email.eml")
    assert result["error"]["kind"] == "not_an_email"
    assert result["body"] == "" and result["automated"] is None


def test_unreadable_path_raises_oserror(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        inspect_file(tmp_path / "missing.eml")


@pytest.mark.slow
def test_command_prints_one_json_line_per_file_and_exit_codes(tmp_path: Path) -> None:
    import json
    import subprocess
    import sys

    good = SAMPLES / "gmail_en_reply.eml"
    bad = SAMPLES / "not_an_email.eml"
    run = [sys.executable, "-m", "bot", "inspect-email"]
    done = subprocess.run(
        [*run, str(good), str(bad)], capture_output=True, text=True, check=False, timeout=120
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert [json.loads(line)["path"] for line in lines] == [str(good), str(bad)]
    assert json.loads(lines[1])["error"]["kind"] == "not_an_email"
    missing = subprocess.run(
        [*run, str(good), str(tmp_path / "nope.eml")],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert missing.returncode == 2
    assert len(missing.stdout.splitlines()) == 1 and "nope.eml" in missing.stderr


def test_outlook_web_html_reply() -> None:
    result = inspect("owa_en_reply_html.eml")
    assert result["body"] == (
        "The shared calendar still shows last week's events only. I cleared the cache as suggested."
    )
    assert result["thread"] == {"ticket": "CSC-000170", "reason": "in_reply_to"}


def test_gmail_forward_keeps_the_forwarded_mail() -> None:
    body = inspect("gmail_fwd_fr.eml")["body"]
    assert body.startswith("Bonjour, je reçois ceci")
    assert "Cliquez ici pour conserver votre mot de passe actuel." in body


def test_html_only_exchange_out_of_office() -> None:
    assert inspect("ooo_exchange_html_fr.eml")["automated"] == "out_of_office"
