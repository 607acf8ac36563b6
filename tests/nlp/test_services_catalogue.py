"""The service catalogue as a TOML file the desk edits (nlp/data/services.toml, or the desk's own
file named by GUICHET_SERVICES_FILE): it loads, a bad file is refused naming the file and the
service, and a service the desk adds is found in messages."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest
from spacy.language import Language as SpacyLanguage

from bot.settings import Settings
from nlp import triage
from nlp.catalogue import Catalogue
from nlp.labels import Level, Team
from nlp.model import configure, get_model
from nlp.pipeline import blank
from nlp.services import SERVICES_PATH, CatalogueError, ServiceHit, load_services
from tests.test_cli import bot

FINES = """
[[service]]
id = "amendes"
name_fr = "Système des amendes"
name_en = "Fines system"
synonyms = ["système des amendes", "fines system", "paiement des amendes"]
team = "applications"
default_level = "N3"
criticality = "mission"
"""


def _service(sid: str, synonyms: str = '["quelque chose"]', **fields: str) -> str:
    values = {
        "name_fr": '"Nom"',
        "name_en": '"Name"',
        "team": '"applications"',
        "default_level": '"N2"',
        "criticality": '"business"',
        **fields,
    }
    lines = [f'id = "{sid}"', f"synonyms = {synonyms}"]
    lines += [f"{key} = {value}" for key, value in values.items() if value]
    return "[[service]]\n" + "\n".join(lines) + "\n"


def test_the_shipped_file_loads_with_guide_teams() -> None:
    services = load_services(SERVICES_PATH)
    assert len(services) >= 20
    ids = [s.id for s in services]
    assert len(set(ids)) == len(ids)
    for s in services:
        assert s.team in {t.value for t in Team}, s
        assert s.default_level in set(Level), s
        assert s.mission == (s.criticality == "mission")
        assert s.name == s.name_fr and s.name_en
    mission = {s.id for s in services if s.mission}
    assert {"paie", "portail-citoyen", "repartition-urgence", "prestations", "permis"} <= mission


@pytest.mark.parametrize(
    ("lang", "text", "service", "found"),
    [
        (
            "fr",
            "la repartition des appels d'urgence ne repond plus",
            "repartition-urgence",
            "repartition des appels d'urgence",
        ),
        (
            "fr",
            "le système de répartition assistée par ordinateur est figé",
            "repartition-urgence",
            "répartition assistée par ordinateur",
        ),
        ("en", "the 911 dispatch screens are frozen", "repartition-urgence", "911 dispatch"),
        (
            "en",
            "our computer-aided dispatch is down",
            "repartition-urgence",
            "computer-aided dispatch",
        ),
        ("fr", "le greffe ne peut plus ouvrir le plumitif", "greffe", "plumitif"),
        ("en", "the court registry cannot file anything", "greffe", "court registry"),
        ("fr", "les demandes de permis en ligne échouent", "permis", "demandes de permis"),
        ("en", "building permit applications fail", "permis", "building permit"),
        (
            "fr",
            "le versement des prestations est bloqué",
            "prestations",
            "versement des prestations",
        ),
        ("en", "the tax collection system rejects payments", "perception", "tax collection"),
        (
            "fr",
            "le renouvellement des licences ne fonctionne pas",
            "renouvellement",
            "renouvellement des licences",
        ),
        ("en", "the case management system is slow", "dossiers", "case management system"),
        ("fr", "la paie de jeudi est bloquée", "paie", "paie"),
        ("fr", "je n'ai plus de son dans teams", "teams", "teams"),
    ],
)
def test_the_shipped_services_are_found(lang: str, text: str, service: str, found: str) -> None:
    hits = find(lang, text)
    assert (service, found) in [(h.service.id, text[h.start_char : h.end_char]) for h in hits]


@cache
def shipped(lang: str) -> tuple[SpacyLanguage, Catalogue]:
    nlp = blank(lang)
    return nlp, Catalogue(nlp, SERVICES_PATH)


def find(lang: str, text: str) -> list[ServiceHit]:
    nlp, catalogue = shipped(lang)
    return catalogue.find(nlp(text.lower()))


def test_teams_in_english_is_not_the_service() -> None:
    """A synonym "=teams" matches that exact word in French only (in English: plural of team)."""
    assert [h.service.id for h in find("fr", "les teams plantent")] == ["teams"]
    assert [h.service.id for h in find("en", "both teams share one printer")] == ["impression"]


@pytest.fixture
def desk_file(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "services.toml"
    path.write_text(SERVICES_PATH.read_text(encoding="utf-8") + FINES, encoding="utf-8")
    yield path
    configure(services_file=None)  # the next test gets the shipped catalogue back


def test_a_desk_mission_service_is_found_and_counts_as_mission(desk_file: Path) -> None:
    configure(services_file=desk_file)
    model = get_model()
    assert "amendes" in model.pipelines["fr"].catalogue.services
    result = triage("Panne", "Le système des amendes ne fonctionne plus depuis ce matin.")
    evidence = {(e.factor, e.label, e.text) for e in result.evidence}
    assert ("service", "applications", "système des amendes") in evidence
    assert result.kind == "incident"
    assert ("mission", "yes", "système des amendes") in evidence
    english = triage("Outage", "The fines system has been down since this morning.")
    assert ("service", "applications", "fines system") in {
        (e.factor, e.label, e.text) for e in english.evidence
    }


def test_configure_back_to_the_shipped_file(desk_file: Path) -> None:
    configure(services_file=desk_file)
    assert "amendes" in get_model().pipelines["en"].catalogue.services
    configure(services_file=None)
    assert "amendes" not in get_model().pipelines["en"].catalogue.services


@pytest.mark.parametrize(
    ("content", "service", "problem"),
    [
        (_service("a", team='"netwrok"'), "a", "unknown team 'netwrok'"),
        (_service("a", criticality='"vital"'), "a", "unknown criticality 'vital'"),
        (_service("a", default_level='"N4"'), "a", "unknown default_level 'N4'"),
        (_service("a") + _service("a", '["autre"]'), "a", "duplicate id"),
        (_service("a", "[]"), "a", "no synonyms"),
        (_service("a", '["  "]'), "a", "empty synonym"),
        (
            _service("a", '["Paie"]') + _service("b", '["paie"]'),
            "b",
            "'paie' is already a synonym of service 'a'",
        ),
        (
            _service("a", '["répartition"]') + _service("b", '["=repartition"]'),
            "b",
            "already a synonym of service 'a'",
        ),
        (_service("a", team=""), "a", "missing team"),
        (_service("a", colour='"red"'), "a", "unknown key 'colour'"),
        (_service("a", synonyms2='"x"', team='"identity"'), "a", "unknown key 'synonyms2'"),
        (_service("a", name_en="3"), "a", "name_en must be text"),
        (_service("Bad Id"), "Bad Id", "id must be"),
    ],
)
def test_a_bad_file_names_the_file_and_the_service(
    tmp_path: Path, content: str, service: str, problem: str
) -> None:
    path = tmp_path / "desk.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CatalogueError) as caught:
        load_services(path)
    message = str(caught.value)
    assert isinstance(caught.value, ValueError)
    assert message.startswith(f"services file {path}: service '{service}': "), message
    assert problem in message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("[[service]\n", "not valid TOML"),
        ("", "no [[service]] table"),
        ('service = "x"\n', "no [[service]] table"),
        ('colour = "red"\n' + _service("a"), "unknown key 'colour'"),
    ],
)
def test_a_bad_file_as_a_whole(tmp_path: Path, content: str, problem: str) -> None:
    path = tmp_path / "desk.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(
        CatalogueError, match=f"^{re.escape(f'services file {path}: ')}.*{re.escape(problem)}"
    ):
        load_services(path)


def test_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CatalogueError, match="cannot read it"):
        load_services(tmp_path / "nope.toml")


def test_a_bad_configured_file_leaves_the_model_alone(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(_service("a", team='"hr"'), encoding="utf-8")
    before = get_model()
    with pytest.raises(CatalogueError):
        configure(services_file=path)
    assert get_model() is before


def test_serve_refuses_a_broken_services_file(settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "desk.toml"
    path.write_text(_service("amendes", team='"finance"'), encoding="utf-8")
    result = bot(settings, "serve", extra_env={"GUICHET_SERVICES_FILE": str(path)})
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert lines[0].startswith(f"guichet: GUICHET_SERVICES_FILE: services file {path}: ")
    assert "service 'amendes': unknown team 'finance'" in lines[0]
    assert result.stdout == ""  # it never listened


def test_an_empty_setting_means_the_shipped_file(tmp_path: Path) -> None:
    assert Settings.model_validate({"services_file": ""}).services_file is None
    desk = tmp_path / "desk.toml"
    assert Settings.model_validate({"services_file": str(desk)}).services_file == desk
