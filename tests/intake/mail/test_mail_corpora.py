"""Real mail nobody here wrote, fetched by scripts/fetch-mail-corpora.sh (see conftest)."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest

from intake.errors import SenderError
from intake.mail.inspect import inspect_file
from intake.mail.parse import parse_email
from intake.mail.parsed import Automated
from intake.mail.tnef import unpack_tnef
from tests.intake.mail.conftest import corpus_dir


def _mails(root: Path, pattern: str) -> list[Path]:
    return sorted(path for path in root.glob(pattern) if path.is_file())


def test_mail_parser_corpus_never_crashes() -> None:
    root = corpus_dir("mail-parser")
    paths = _mails(root, "tests/mails/*")
    assert len(paths) >= 20
    errors = {}
    for path in paths:
        result = inspect_file(path)
        if result["error"]:
            errors[path.name] = result["error"]["kind"]
        else:
            assert result["from"] or result["subject"], path.name
    # The only unreadable one is an Outlook .msg file (OLE), reported with its own reason.
    assert errors == {"mail_outlook_1": "outlook_msg"}


def test_mail_parser_corpus_details() -> None:
    root = corpus_dir("mail-parser") / "tests" / "mails"
    spam = inspect_file(root / "mail_test_5")  # French newsletter, ISO-8859-1 Q subject
    assert spam["subject"] == "Je prépare mon été zéro complexe !"
    assert spam["automated"] == "list"
    dsn = parse_email((root / "mail_malformed_2").read_bytes())
    assert dsn.automated is Automated.BOUNCE
    assert dsn.bounce is not None and "abh@netpar.com.br" in dsn.bounce.recipients
    broken = inspect_file(root / "mail_malformed_3")  # boundary declared but never used
    assert "Recibo" in broken["subject"] and broken["body"]
    gb = inspect_file(root / "mail_test_12")  # GB2312 subject and body
    assert "增值税发票" in gb["subject"] and "增值税发票" in gb["body"]


def _flufl_table(root: Path) -> list[tuple[str, set[str], bool]]:
    source = (root / "tests" / "test_detectors.py.txt").read_text()
    rows = re.findall(r"\('\w+', '([\w.]+\.txt)',\s*\[([^\]]*)\], (True|False)\)", source)
    seen: dict[str, tuple[str, set[str], bool]] = {}
    for name, addresses, temporary in rows:
        expected = {a.lower() for a in re.findall(r"b'([^']+)'", addresses)}
        if expected and name not in seen:
            seen[name] = (name, expected, temporary == "True")
    return list(seen.values())


def test_flufl_bounce_recipients_and_permanence() -> None:
    """flufl.bounce's own table of expected recipients (its detectors' test data)."""
    root = corpus_dir("flufl-bounce")
    table = _flufl_table(root)
    assert len(table) >= 100
    found = permanence = 0
    for name, expected, temporary in table:
        parsed = parse_email((root / "tests" / "data" / name).read_bytes())
        if parsed.bounce and expected <= set(parsed.bounce.recipients):
            found += 1
        if parsed.bounce and parsed.bounce.permanent is not temporary:
            permanence += 1
    # Measured 106/110 and 109/110; the rest are oddities (Yale's own, a GroupWise quirk).
    assert found >= 0.9 * len(table)
    assert permanence >= 0.9 * len(table)


def test_flufl_bounce_every_sample_is_automated() -> None:
    root = corpus_dir("flufl-bounce")
    kinds = {}
    for path in _mails(root, "tests/data/*.txt"):
        parsed = parse_email(path.read_bytes())
        kinds[path.name] = parsed.automated
    not_bounces = [name for name, kind in kinds.items() if kind is not Automated.BOUNCE]
    assert len(not_bounces) <= 0.05 * len(kinds), not_bounces


def test_bounced_corpus() -> None:
    root = corpus_dir("bounced") / "src" / "bounced" / "tests"
    bounces = _mails(root, "bounce_email/bounces/*.eml") + _mails(root, "bounces/*.eml")
    kinds = {path.name: parse_email(path.read_bytes()).automated for path in bounces}
    # bounce-auto-respond is an abuse feedback report (RFC 5965), automated but no bounce.
    assert kinds.pop("bounce-auto-respond.eml") is Automated.AUTO_REPLY
    assert all(kind is Automated.BOUNCE for kind in kinds.values()), kinds
    for path in _mails(root, "bounce_email/non_bounces/*.eml"):
        assert parse_email(path.read_bytes()).automated is not Automated.BOUNCE, path.name
    soft = parse_email((root / "bounce_email/bounces/tt_bounce_12_soft.eml").read_bytes())
    assert soft.bounce is not None and not soft.bounce.permanent


def test_talon_replies_keep_only_the_new_text() -> None:
    root = corpus_dir("talon") / "tests" / "fixtures" / "standard_replies"
    paths = _mails(root, "*.eml")
    assert len(paths) >= 10
    for path in paths:
        assert inspect_file(path)["body"] == "Hello", path.name


@pytest.mark.parametrize(
    ("name", "files"),
    [
        ("two-files.tnef", ["AUTHORS", "README"]),
        ("umlaut.tnef", ["TBZ PARIV GmbH.jpg", "image003.jpg", "UmlautAnhang-äüö.txt"]),
        ("body.tnef", []),
        ("rtf.tnef", []),
    ],
)
def test_winmail_dat_is_unpacked(name: str, files: list[str]) -> None:
    blob = (corpus_dir("tnefparse") / "tests" / "examples" / name).read_bytes()
    raw = (
        "From: Outlook <jean@example>\nSubject: Fichiers\nMIME-Version: 1.0\n"
        "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\n\n"
        "--b\nContent-Type: application/ms-tnef; name=winmail.dat\n"
        "Content-Disposition: attachment; filename=winmail.dat\n"
        "Content-Transfer-Encoding: base64\n\n" + base64.encodebytes(blob).decode() + "\n--b--\n"
    ).encode()
    parsed = parse_email(raw)
    assert [a.filename for a in parsed.attachments] == files
    if name == "body.tnef":
        assert "THE BILL OF RIGHTS" in parsed.body
    if name == "rtf.tnef":
        assert "Greg" in parsed.full_text


def test_all_tnef_examples_are_harmless() -> None:
    for path in _mails(corpus_dir("tnefparse"), "tests/examples/*.tnef"):
        unpack_tnef(path.read_bytes())
        unpack_tnef(path.read_bytes()[: len(path.read_bytes()) // 2])  # truncated


def test_every_corpus_file_parses_or_reports() -> None:
    skip = (".html", ".tnef")
    for name in ("mail-parser", "flufl-bounce", "bounced", "talon"):
        for path in corpus_dir(name).rglob("*"):
            if (
                not path.is_file()
                or path.suffix in skip
                or path.name.startswith((".", "LICENSE", "NOTICE", "test_"))
            ):
                continue
            try:
                parse_email(path.read_bytes())
            except SenderError as exc:
                assert exc.reason in ("outlook_msg", "not_an_email"), (path, exc)


def _talon_cases(source: str) -> list[tuple[str, str, str]]:
    """(test name, message, expected reply) from talon's `eq_(x, extract_from_plain(y))`."""
    import ast

    cases: list[tuple[str, str, str]] = []
    for function in ast.parse(source).body:
        if not isinstance(function, ast.FunctionDef):
            continue
        names: dict[str, object] = {}
        for statement in function.body:
            if isinstance(statement, ast.Assign) and isinstance(statement.targets[0], ast.Name):
                try:
                    names[statement.targets[0].id] = ast.literal_eval(statement.value)
                except ValueError:
                    continue
            call = statement.value if isinstance(statement, ast.Expr) else None
            if not (isinstance(call, ast.Call) and getattr(call.func, "id", "") == "eq_"):
                continue
            expected, actual = call.args[0], call.args[1]
            if not (
                isinstance(actual, ast.Call)
                and getattr(actual.func, "attr", "") == "extract_from_plain"
            ):
                continue
            try:
                want = (
                    names[expected.id]
                    if isinstance(expected, ast.Name)
                    else ast.literal_eval(expected)
                )
                arg = actual.args[0]
                body = names[arg.id] if isinstance(arg, ast.Name) else ast.literal_eval(arg)
            except (KeyError, ValueError):
                continue
            if isinstance(want, str) and isinstance(body, str):
                cases.append((function.name, body, want))
    return cases


def test_talon_quotation_cases() -> None:
    """talon's own plain-text quote-stripping cases (its public ground truth): measured 36 of 44
    (82 %) before issue #14, 41 of 44 after. The rest are talon's choices we do not share: a lone
    "From:" line as a separator, a ">>>" line kept as text, a line above an Outlook separator
    dropped."""
    from intake.mail.quotes import strip_quoted

    source = (corpus_dir("talon") / "tests" / "text_quotations_test.py.txt").read_text()
    cases = _talon_cases(source)
    assert len(cases) >= 40
    agree = [
        name
        for name, body, want in cases
        if " ".join(strip_quoted(body).split()) == " ".join(want.split())
    ]
    assert len(agree) >= 0.90 * len(cases), sorted({n for n, _, _ in cases} - set(agree))
