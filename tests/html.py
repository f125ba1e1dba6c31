"""Reading a rendered page in a test, with Beautiful Soup: what a person reads and can follow.

Python's own `html.parser` reads the markup. Text never includes a comment, a script or a style
sheet.
"""

import copy

from bs4 import BeautifulSoup, Tag


def parse(content: bytes | str) -> BeautifulSoup:
    return BeautifulSoup(content, "html.parser")


def raw_text(node: Tag, *, separator: str = "", skip: tuple[str, ...] = ()) -> str:
    """The node's text with its whitespace (Beautiful Soup keeps a run of nothing but whitespace
    between two tags as one space or line break), without the text of the elements named in
    `skip` (e.g. "option", the choices of a closed select)."""
    if skip:
        node = copy.copy(node)
        for hidden in node.find_all(skip):
            hidden.decompose()
    return node.get_text(separator)


def text(node: Tag, *, separator: str = "", skip: tuple[str, ...] = ()) -> str:
    """The node's text with each run of whitespace read as one space, as a browser shows it."""
    return " ".join(raw_text(node, separator=separator, skip=skip).split())


def attributes(tag: Tag) -> dict[str, str]:
    """The tag's attributes as written: a valueless one as "", a class list as one string."""
    return {name: " ".join(value) if isinstance(value, list) else value for name, value in tag.attrs.items()}


def links(node: Tag) -> list[dict[str, str]]:
    """Each link under the node in page order: its attributes, and its text as it stands under "text"."""
    return [{**attributes(link), "text": link.get_text()} for link in node.find_all("a")]
