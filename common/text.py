"""Texts written by staff in Finnish, Swedish and English, as a resident reads them."""

from typing import NamedTuple

from django.db import models
from django.utils.translation import get_language


class LocalText(NamedTuple):
    """A text written by staff as a resident reads it: in their language, else in Finnish.

    `language` names the language the text is in, so a page can mark a Finnish fallback with
    `lang="fi"`.
    """

    text: str
    language: str

    def __str__(self) -> str:
        return self.text


def resident_text(obj: models.Model, name: str, language: str | None = None) -> LocalText:
    """`obj.<name>_<language>`, falling back to the Finnish text when empty: `obj.<name>_fi` for a
    field django-modeltranslation translates, else the unsuffixed `obj.<name>` (plain columns)."""
    language = (language or get_language() or "fi")[:2]
    if language != "fi":
        text = (getattr(obj, f"{name}_{language}", "") or "").strip()
        if text:
            return LocalText(text, language)
    finnish = getattr(obj, f"{name}_fi", None)
    return LocalText((getattr(obj, name) if finnish is None else finnish).strip(), "fi")
