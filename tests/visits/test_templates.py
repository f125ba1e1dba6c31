"""What the resident templates promise a screen reader: a field marked invalid names the element
that says why, and that element is on the page."""

from html.parser import HTMLParser

import pytest
from django.utils import translation
from django.utils.translation import gettext

# Elements with no closing tag; they never hold text.
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Described(HTMLParser):
    """The page's fields that point at a description, and the text of every element with an id."""

    def __init__(self, content: bytes) -> None:
        super().__init__()
        self.fields: list[dict[str, str]] = []
        self.text_by_id: dict[str, str] = {}
        self._open: list[str | None] = []
        self.feed(content.decode())
        self.close()

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        if "aria-describedby" in attributes or attributes.get("aria-invalid") == "true":
            self.fields.append(attributes)
        element_id = attributes.get("id")
        if element_id is not None:
            self.text_by_id.setdefault(element_id, "")
        if tag not in VOID:
            self._open.append(element_id)

    def handle_endtag(self, tag):
        if tag not in VOID and self._open:
            self._open.pop()

    def handle_data(self, data):
        for element_id in self._open:
            if element_id is not None:
                self.text_by_id[element_id] += data


DATE = "Enter the date as YYYY-MM-DD, for example 2026-12-31."
NO_AREA = "There is no such choice: %(value)s."
INVALID_PAGES = [
    # path, the invalid field's name, its message (to translate)
    ("/fi/?start=x", "start", DATE),
    ("/en/?start=x&end=1.1.2027", "end", DATE),
    ("/fi/visits/?area=nope&end=bad", "area", NO_AREA),
    ("/fi/visits/?area=nope&end=bad", "end", DATE),
    ("/sv/visits/?start=2026-12-10&end=2026-12-01", "end", "The end date cannot be before the start date."),
    ("/fi/visits/print/?area=nope", "area", NO_AREA),
    ("/en/visits/print/?area=nope", "area", NO_AREA),
    ("/fi/service-points/tapiola/?on=bad", "on", DATE),
    ("/en/service-points/tapiola/?on=1.1.2026", "on", DATE),
]


@pytest.mark.parametrize(("path", "name", "message"), INVALID_PAGES)
def test_an_invalid_filter_is_described_by_its_message_on_the_page(client, espoo_network, path, name, message):
    page = Described(client.get(path).content)
    with translation.override(path.split("/")[1]):
        message = gettext(message) % {"value": "nope"}

    invalid = [field for field in page.fields if field.get("name") == name]
    assert invalid, f"no field {name} marked invalid or described"
    for field in invalid:
        assert field.get("aria-invalid") == "true"
        targets = field.get("aria-describedby", "").split()
        assert targets, f"{name} is invalid but names no description"
        described = " ".join(page.text_by_id.get(target, "") for target in targets)
        assert message in described


@pytest.mark.parametrize("path", sorted({path for path, _, _ in INVALID_PAGES} | {"/fi/", "/fi/visits/print/"}))
def test_every_description_a_page_names_is_on_the_page(client, espoo_network, path):
    page = Described(client.get(path).content)

    for field in page.fields:
        for target in field.get("aria-describedby", "").split():
            assert target in page.text_by_id, f"{field.get('name')} points at #{target}, which is not on {path}"
