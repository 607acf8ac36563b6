"""Generate the labelled triage corpus (seeded): `python -m nlp.data.make_corpus`.

Every message is composed from a hand-written scenario line (scenarios.txt) and independent
blocks (blocks.py): factor sentences, greetings, signatures, quoted history, typos, chat style.
Labels come from the scenario (kind, team, level) and, for incidents, from the factors planted,
through the guide's decision table (`nlp.severity.decide`). The split unit is the scenario line:
every message made from one line lands in the same split, so near-copies never straddle.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

from nlp.data import blocks as B
from nlp.severity import Factors, Impact, Scope, Security, decide

HERE = Path(__file__).parent
SEED = 20251128
PER_LINE = {"incident": 9, "security": 9, "request": 10, "question": 10}


@dataclass
class Scenario:
    kind: str  # I, S, R or Q
    sid: str
    team: str
    levels: tuple[str, str]
    scopes: list[str] = field(default_factory=list)
    flags: str = ""
    svc: dict[str, str] = field(default_factory=dict)
    security: str = "none"
    topic: dict[str, str] = field(default_factory=dict)
    lines: list[tuple[str, str, bool]] = field(default_factory=list)  # (lang, text, personal)


def parse(path: Path) -> list[Scenario]:
    out: list[Scenario] = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("@"):
            tag, rest = line[1], line[2:]
            parts = [p.strip() for p in rest.split("|")]
            if tag == "I":
                lv = parts[2].split("/")
                fr_svc, en_svc = parts[5].split(";")
                out.append(
                    Scenario(
                        "I",
                        parts[0],
                        parts[1],
                        (lv[0], lv[1]),
                        parts[3].split(","),
                        parts[4],
                        {"fr": fr_svc, "en": en_svc},
                    )
                )
            elif tag == "S":
                out.append(
                    Scenario("S", parts[0], "security", (parts[1], parts[1]), security=parts[2])
                )
            else:
                out.append(Scenario(tag, parts[0], parts[1], (parts[2], parts[2])))
            continue
        key, _, text = line.partition(":")
        text = text.strip()
        cur = out[-1]
        if key == "t":
            fr, en = (t.strip() for t in text.split("|"))
            cur.topic = {"fr": fr, "en": en}
        else:
            lang = "en" if key in ("e", "ne") else "fr"
            cur.lines.append((lang, text, key in ("p", "e")))
    return out


def split_of(unit: str) -> str:
    h = int(hashlib.sha256(unit.encode()).hexdigest(), 16) % 100
    return "test" if h < 15 else "dev" if h < 30 else "train"


def sentence(text: str) -> str:
    text = text.strip()
    text = text[0].upper() + text[1:] if text else text
    return text if text[-1:] in ".!?:" else text + "."


_ACCENTS = str.maketrans("àâäçéèêëîïôöûùüÿÀÂÇÉÈÊËÎÏÔÛÙÜ", "aaaceeeeiioouuuyAACEEEEIIOUUU")


def typos(rng: random.Random, text: str) -> str:
    """Chat-grade damage: lost accents, a dropped or swapped letter here and there."""
    if rng.random() < 0.5:
        text = text.translate(_ACCENTS)
    chars = list(text)
    for _ in range(rng.randint(1, 3)):
        i = rng.randrange(1, max(2, len(chars) - 2))
        if not chars[i].isalpha():
            continue
        op = rng.random()
        if op < 0.4:
            del chars[i]
        elif op < 0.8 and chars[i + 1].isalpha():
            chars[i], chars[i + 1] = chars[i + 1], chars[i]
        else:
            chars.insert(i, chars[i])
    return "".join(chars)


def signature(rng: random.Random, lang: str) -> str:
    lines = [rng.choice(B.NAMES)]
    if rng.random() < 0.7:
        lines.append(rng.choice(B.TITLES[lang]))
        lines.append(rng.choice(B.UNITS))
    if rng.random() < 0.5:
        phone = f"418 {rng.randint(200, 999)}-{rng.randint(1000, 9999)}"
        lines.append(f"{phone}, poste {rng.randint(1000, 9999)}")
    if rng.random() < 0.2:
        lines.append(B.FOOTER[lang])
    return "\n".join(lines)


def quoted(rng: random.Random, lang: str) -> str:
    body = rng.choice(B.QUOTED[lang])
    if rng.random() < 0.5:
        head = (
            "-----Message d'origine-----\nDe : Centre de service\nEnvoyé : 12 novembre 09:14\n"
            "Objet : Billet CSC-00" + str(rng.randint(1000, 9999))
        )
        if lang == "en":
            head = head.replace("Message d'origine", "Original Message").replace("Envoyé", "Sent")
        return f"{head}\n\n{body}"
    intro = (
        "Le 12 nov. 2025 à 09:14, Centre de service a écrit :"
        if lang == "fr"
        else "On Nov 12, 2025, at 9:14 AM, Service Desk wrote:"
    )
    return intro + "\n" + "\n".join("> " + ln for ln in body.split("\n"))


def wrap(rng: random.Random, lang: str, body: list[str], kind: str, svc: str) -> dict[str, str]:
    """Dress the content sentences as a chat line or an email."""
    channel = "chat" if rng.random() < 0.4 else "email"
    n = str(rng.randint(1000, 99999)).zfill(6)
    if channel == "chat":
        text = " ".join(body)
        if rng.random() < 0.6:
            text = text.lower().replace(".", rng.choice(["", " ", ".", " svp"]), 1)
        if rng.random() < 0.3:
            text = rng.choice(["allo ", "salut ", "bonjour ", "hey "]) + text
        if rng.random() < 0.35:
            text = typos(rng, text)
        return {"subject": "", "text": text.strip(), "channel": channel}
    parts = [rng.choice(B.GREETING[lang]), ""]
    opener = rng.choice(B.OPENER[lang])
    first = body[0]
    if opener:
        first = opener + " " + first[0].lower() + first[1:]
    paragraph = " ".join([first, *body[1:]])
    if rng.random() < 0.5:
        context = " ".join(rng.sample(B.CONTEXT[lang], k=rng.randint(1, 2)))
        paragraph = f"{paragraph}\n\n{context}" if rng.random() < 0.6 else f"{context} {paragraph}"
    parts.append(paragraph)
    parts += ["", rng.choice(B.CLOSING[lang])]
    if rng.random() < 0.7:
        parts.append(signature(rng, "en" if lang == "en" and rng.random() < 0.8 else "fr"))
    if rng.random() < 0.25:
        parts += ["", quoted(rng, lang)]
    elif OTHER_LINES and rng.random() < 0.15:
        # Quoted history about another problem: triage must read only the new part.
        old = rng.choice(OTHER_LINES[lang])
        parts += [
            "",
            "-----Message d'origine-----" if lang == "fr" else "-----Original Message-----",
            "De : " + rng.choice(B.NAMES) if lang == "fr" else "From: " + rng.choice(B.NAMES),
            "",
            sentence(old),
        ]
    text = "\n".join(parts)
    if rng.random() < 0.12:
        text = typos(rng, text)
    subject = rng.choice(B.SUBJECT[kind][lang]).format(svc=svc, n=n)
    if rng.random() < 0.15:
        subject = ""
    return {"subject": subject, "text": text, "channel": channel}


def pick(rng: random.Random, blocks: B.Blocks, lang: str) -> str:
    return rng.choice(blocks[lang])


def incident(
    rng: random.Random, sc: Scenario, lang: str, text: str, personal: bool
) -> tuple[list[str], Factors]:
    """Plant the factors of one incident message and return its sentences and factors."""
    svc = sc.svc[lang]
    scopes = [s for s in sc.scopes if (s == "person") == personal] or sc.scopes
    scope = Scope(rng.choice(scopes))
    body = [sentence(text)]
    if "z" in sc.flags:
        if rng.random() < 0.7:
            body.append(pick(rng, B.SCHEDULE, lang))
        return body, Factors(scope=scope, impact=Impact.NONE, schedulable=True)
    if "p" in sc.flags:
        body.append(pick(rng, B.SCOPE[scope.value], lang))
        return body, Factors(scope=scope, impact=Impact.NONE, protective=True)
    impact = Impact(rng.choices(["total", "major", "minor"], [0.6, 0.25, 0.15])[0])
    mission = "m" in sc.flags
    if "d" in sc.flags:
        impact = Impact.MAJOR
    elif impact is Impact.MAJOR:
        body = [sentence(pick(rng, B.DEGRADED_MAJOR, lang).format(svc=svc))]
        if rng.random() < 0.4:
            body.append(pick(rng, B.MAJOR_TAIL, lang))
    elif impact is Impact.MINOR:
        body = [sentence(pick(rng, B.DEGRADED_MINOR, lang).format(svc=svc))]
        body.append(pick(rng, B.MINOR_TAIL, lang))
    elif rng.random() < 0.4:
        block = B.IMPACT_TOTAL_PERSON if scope is Scope.PERSON else B.IMPACT_TOTAL
        body.append(pick(rng, block, lang))
    if scope is not Scope.PERSON or rng.random() < 0.4:
        body.insert(1, pick(rng, B.SCOPE[scope.value], lang))
    if scope is not Scope.PERSON and impact is not Impact.MINOR and rng.random() < 0.3:
        body.append(pick(rng, B.MISSION, lang))
        mission = True
    workaround = False
    if not mission and scope in (Scope.GROUP, Scope.SITE) and rng.random() < 0.12:
        body.append(pick(rng, B.EQUIVALENT, lang))
        return body, Factors(scope=scope, impact=Impact.NONE, workaround=True)
    if impact is not Impact.MINOR and rng.random() < 0.2:
        body.append(pick(rng, B.WORKAROUND, lang))
        workaround = True
    elif mission and rng.random() < 0.3:
        body.append(pick(rng, B.PAPER_FALLBACK if rng.random() < 0.5 else B.NO_WORKAROUND, lang))
    if scope is Scope.PERSON and rng.random() < 0.25:
        body.append(pick(rng, B.HEDGES, lang))
    return body, Factors(scope=scope, impact=impact, mission=mission, workaround=workaround)


SECURITY_SCOPE = {
    "spreading": Scope.ORGANISATION,
    "data_exposed": Scope.SYSTEM,
    "confirmed": Scope.GROUP,
}


OTHER_LINES: dict[str, list[str]] = {}


def generate(seed: int = SEED) -> list[dict[str, object]]:
    rng = random.Random(seed)
    scenarios = parse(HERE / "scenarios.txt")
    for sc in scenarios:
        for lang, text, _ in sc.lines:
            OTHER_LINES.setdefault(lang, []).append(text)
    rows: list[dict[str, object]] = []
    for sc in scenarios:
        kind = {"I": "incident", "S": "incident", "R": "request", "Q": "question"}[sc.kind]
        for idx, (lang, text, personal) in enumerate(sc.lines):
            unit = f"{sc.sid}:{idx}"
            n = PER_LINE["security" if sc.kind == "S" else kind]
            for _ in range(n):
                severity: str | None = None
                level = sc.levels[0]
                evidence: dict[str, object] = {}
                if sc.kind == "I":
                    body, f = incident(rng, sc, lang, text, personal)
                    severity = decide(f).value
                    level = sc.levels[0] if f.scope is Scope.PERSON else sc.levels[1]
                    evidence = {
                        "scope": f.scope.value,
                        "impact": f.impact.value,
                        "mission": f.mission,
                        "workaround": f.workaround,
                    }
                elif sc.kind == "S":
                    body = [sentence(text)]
                    f = Factors(
                        scope=SECURITY_SCOPE.get(sc.security, Scope.PERSON),
                        security=Security(sc.security),
                    )
                    severity = decide(f).value
                    evidence = {"security": sc.security}
                else:
                    body = [sentence(text)]
                    if rng.random() < 0.2:
                        body.append(
                            rng.choice(
                                ["Ce n'est pas urgent.", "Merci!"]
                                if lang == "fr"
                                else ["Not urgent.", "Thanks!"]
                            )
                        )
                if sc.kind in "IS" and rng.random() < 0.08 and severity in ("P4", "P5"):
                    body.insert(0, pick(rng, B.SHOUT, lang))
                msg = wrap(rng, lang, body, kind, sc.svc.get(lang, sc.topic.get(lang, "")))
                rows.append(
                    {
                        **msg,
                        "kind": kind,
                        "severity": severity,
                        "level": level,
                        "team": sc.team,
                        "language": lang,
                        "factors": evidence,
                        "unit": unit,
                        "split": split_of(unit),
                    }
                )
    rows += status_rows(rng, scenarios)
    return rows


def status_rows(rng: random.Random, scenarios: list[Scenario]) -> list[dict[str, object]]:
    """Follow-ups: a status template about a topic of some scenario."""
    rows: list[dict[str, object]] = []
    topical = [s for s in scenarios if s.topic]
    for lang in ("fr", "en"):
        for t_idx, template in enumerate(B.STATUS[lang]):
            for sc in rng.sample(topical, k=min(len(topical), 26 if lang == "fr" else 16)):
                unit = f"status-{lang}{t_idx}:{sc.sid}"
                n = str(rng.randint(1000, 99999)).zfill(6)
                body = [sentence(template.format(topic=sc.topic[lang], n=n))]
                msg = wrap(rng, lang, body, "status", "")
                rows.append(
                    {
                        **msg,
                        "kind": "status",
                        "severity": None,
                        "level": "N1",
                        "team": sc.team,
                        "language": lang,
                        "factors": {},
                        "unit": unit,
                        "split": split_of(f"status-{lang}{t_idx}:{sc.team}"),
                    }
                )
    return rows


def dedupe(rows: list[dict[str, object]]) -> list[dict[str, object]]:
    seen: set[str] = set()
    out = []
    for row in rows:
        key = re.sub(r"\W+", " ", f"{row['subject']} {row['text']}".lower()).strip()
        if key not in seen:
            seen.add(key)
            out.append(row)
    return out


def main() -> None:
    rows = dedupe(generate())
    for i, row in enumerate(rows):
        row["id"] = f"gen-{i:05d}"
    for name in ("train", "dev", "test"):
        part = [r for r in rows if r["split"] == name]
        with (HERE / f"corpus.{name}.jsonl").open("w", encoding="utf-8") as fh:
            for r in part:
                fh.write(json.dumps(r, ensure_ascii=False) + "\n")
        print(name, len(part))


if __name__ == "__main__":
    main()
