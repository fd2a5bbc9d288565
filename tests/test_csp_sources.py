"""The policy's code sources (aligncat.site.csp): host+path sources for the site's code folders when its address
is known, 'self' when it is not, and nothing in an address can end a directive or add a source."""

from __future__ import annotations

import re

from aligncat.site import csp


def test_an_address_gives_one_source_per_code_folder() -> None:
    sources = csp.code_sources("https://example.github.io/survey")
    assert sources["script"].split() == [
        "https://example.github.io/survey/" + folder for folder in csp.SCRIPT_FOLDERS
    ]
    assert sources["style"].split() == ["https://example.github.io/survey/" + f for f in csp.STYLE_FOLDERS]
    assert "https://example.github.io/survey/assets/javascripts/workers/" in sources["worker"].split()
    assert all("'self'" not in value for value in sources.values())


def test_without_an_address_the_sources_are_self() -> None:
    for value in (None, "", "not a url", "javascript:alert(1)", "ftp://example.org/"):
        assert csp.code_sources(value) == {"script": "'self'", "style": "'self'", "worker": "'self'"}, value


def test_nothing_in_an_address_ends_a_directive_or_starts_a_source() -> None:
    # ';' would end script-src and start a directive of the address's choosing, ',' a second policy, and a quote
    # or a space another source: each is percent-encoded (browsers decode both sides before comparing paths).
    hostile = "https://example.org/a;script-src%20*,b'unsafe-inline'/"
    for value in csp.code_sources(hostile).values():
        assert not re.search(r"[;,'\"<>]", value), value  # sources are separated by spaces, and hold none
        prefix = "https://example.org/a%3Bscript-src%20%2A%2Cb%27unsafe-inline%27/"
        assert all(s.startswith(prefix) for s in value.split()), value


def test_the_generated_config_follows_the_address_it_is_built_for() -> None:
    config = {"site_url": "https://example.org/x/", "extra": {"aligncat_csp": {"script": "*"}}}
    csp.apply(config)
    assert config["extra"]["aligncat_csp"]["script"].startswith("https://example.org/x/assets/")
    config = {"site_url": None, "extra": None}
    csp.apply(config)
    assert config["extra"]["aligncat_csp"]["script"] == "'self'"
