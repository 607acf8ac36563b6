from pathlib import Path

import pytest

from bot.errors import ConfigError
from bot.organisations import DEFAULT_FILE, UNKNOWN, load_directory


def test_shipped_file_maps_domains_and_subdomains() -> None:
    directory = load_directory(DEFAULT_FILE)
    assert len(directory.organisations) >= 5
    assert directory.organisation_of("jeanne@msss.example") == "msss"
    assert directory.organisation_of("Jeanne@DGTI.MSSS.example") == "msss"
    assert directory.organisation_of("x@gouv.example") == UNKNOWN
    assert directory.organisation_of("x@evilmsss.example") == UNKNOWN
    assert directory.organisation_of("") == UNKNOWN


def test_bad_file_names_itself_and_the_problem(tmp_path: Path) -> None:
    bad = tmp_path / "orgs.toml"
    bad.write_text('[[organisation]]\nid = "Bad Id"\nname_fr = "x"\nname_en = "x"\ndomains = []\n')
    with pytest.raises(ConfigError, match=r"orgs\.toml"):
        load_directory(bad)
    with pytest.raises(ConfigError, match="cannot read"):
        load_directory(tmp_path / "missing.toml")
    dup = tmp_path / "dup.toml"
    entry = '[[organisation]]\nid = "a"\nname_fr = "x"\nname_en = "x"\ndomains = ["a.example"]\n'
    dup.write_text(entry + entry)
    with pytest.raises(ConfigError, match="unique"):
        load_directory(dup)
