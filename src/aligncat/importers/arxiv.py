"""Import stage, arXiv: look an arXiv id up in the arXiv API (optional, with a timeout) and turn it into a record."""

from __future__ import annotations

import re
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from typing import Any

from .common import arxiv_from, today

API_URL = "https://export.arxiv.org/api/query?id_list={id}"
TIMEOUT_SECONDS = 15
_NS = {"a": "http://www.w3.org/2005/Atom", "arxiv": "http://arxiv.org/schemas/atom"}


class LookupError_(Exception):
    """A lookup that failed: no network, a time-out, or no such id. The message says what to do instead."""


def fetch_arxiv(arxiv_id: str, *, timeout: float = TIMEOUT_SECONDS) -> str:
    """The arXiv API's Atom answer for one id. Raises LookupError_ with a clear message on any network failure."""
    url = API_URL.format(id=urllib.parse.quote(arxiv_id))
    req = urllib.request.Request(url, headers={"User-Agent": "aligncat (catalog import)"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 (fixed https host)
            return resp.read().decode("utf-8")
    except TimeoutError:
        raise LookupError_(
            f"arXiv did not answer within {timeout:g} s; try again later, or write the record with "
            "`aligncat new paper --title ... --year ...`"
        ) from None
    except (urllib.error.URLError, OSError) as e:
        raise LookupError_(
            f"could not reach arXiv ({getattr(e, 'reason', e)}); check the network, or write the "
            "record with `aligncat new paper --title ... --year ...`"
        ) from None


def parse_arxiv_atom(xml_text: str, arxiv_id: str) -> dict[str, Any]:
    """Record data from an arXiv API answer: title, every author, first-version date, DOI and journal reference."""
    try:
        root = ET.fromstring(xml_text)
    except ET.ParseError as e:
        raise LookupError_(f"arXiv's answer for {arxiv_id} is not valid XML ({e})") from None
    entry = root.find("a:entry", _NS)
    title_el = entry.find("a:title", _NS) if entry is not None else None
    if (
        entry is None
        or title_el is None
        or not (title_el.text or "").strip()
        or "/api/errors" in (entry.findtext("a:id", "", _NS) or "")
    ):
        raise LookupError_(f"arXiv has no paper {arxiv_id}; check the id (e.g. 2203.02155)")
    title = " ".join((title_el.text or "").split())
    authors = []
    for a in entry.findall("a:author", _NS):
        name = " ".join((a.findtext("a:name", "", _NS) or "").split())
        if not name:
            continue
        words = name.split(" ")
        authors.append(
            {"family": words[-1], "given": " ".join(words[:-1])} if len(words) > 1 else {"literal": name}
        )
    published = entry.findtext("a:published", "", _NS)[:10]
    clean_id = arxiv_from(f"arXiv:{arxiv_id}") or arxiv_id
    data: dict[str, Any] = {"kind": "paper", "title": title}
    if authors:
        data["authors"] = authors
    data["year"] = int(published[:4]) if re.match(r"\d{4}", published) else int("20" + clean_id[:2])
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", published):
        data["date"] = published
    journal = " ".join((entry.findtext("arxiv:journal_ref", "", _NS) or "").split())
    data["venue"] = journal or "arXiv"
    data["venue_type"] = "preprint" if not journal else "conference"
    ids = {"arxiv": clean_id}
    doi = (entry.findtext("arxiv:doi", "", _NS) or "").strip()
    if doi:
        ids["doi"] = doi
    data["identifiers"] = ids
    data["links"] = [{"type": "paper", "url": f"https://arxiv.org/abs/{clean_id}"}]
    data["added"] = today()
    data["provenance"] = [
        {
            "fields": [k for k in ("title", "authors", "year", "date", "venue", "identifiers") if k in data],
            "source": f"arXiv API entry for {clean_id}",
        }
    ]
    if journal:
        data["notes"] = [f"venue from arXiv's journal reference '{journal}'; check venue_type"]
    return data
