"""What every JSON endpoint shares: the language parameter, one value per parameter, dates, GeoJSON."""

import datetime
from typing import Any, Literal

from django import forms
from django.http import HttpRequest
from ninja import Field, Schema
from ninja.errors import HttpError
from pydantic import create_model

Language = Literal["fi", "sv", "en"]
ISO_DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"


def repeated_parameter_error(request: HttpRequest) -> str | None:
    """A parameter given twice is ambiguous; refuse it rather than guess which one counts."""
    for name, values in request.GET.lists():
        if len(values) > 1:
            return f"The parameter '{name}' was given {len(values)} times; give it once."
    return None


def reject_repeated_parameters(request: HttpRequest) -> None:
    if message := repeated_parameter_error(request):
        raise HttpError(400, message)


def parse_iso_date(name: str, value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise HttpError(400, f"'{name}' is not a real date: {value!r} (use YYYY-MM-DD).") from None


class LanguageQuery(Schema):
    lang: Language = Field("fi", description="Language of names and addresses")


class PointGeometry(Schema):
    type: Literal["Point"]
    coordinates: list[float] = Field(..., description="[longitude, latitude] in WGS84")


def _limits(field: forms.Field) -> tuple[object, object]:
    """The form field's lowest and highest accepted value, from its validators."""
    low = next((v.limit_value for v in field.validators if v.code == "min_value"), None)
    high = next((v.limit_value for v in field.validators if v.code == "max_value"), None)
    return low, high


def form_query_schema(
    name: str,
    form_class: type[forms.Form],
    *,
    fields: dict[str, str],
    required: tuple[str, ...] = (),
    base: type[Schema] = Schema,
) -> type[Schema]:
    """The query parameters of `form_class` as a schema for the OpenAPI document.

    The form stays the one place the parameters are validated; this only describes them, built
    from the form's own fields, so the description cannot drift from what is enforced. `fields`
    maps each parameter to its description; `base` adds parameters that are not the form's.
    """
    definitions: dict[str, Any] = {}
    for field_name, description in fields.items():
        field = form_class.base_fields[field_name]
        low, high = _limits(field)
        extra: dict[str, Any] = {}
        if isinstance(field, forms.DateField):
            annotation: Any = str
            extra.update(format="date", pattern=ISO_DATE_PATTERN)
            description = f"{description} (YYYY-MM-DD, {low:%Y-%m-%d} to {high:%Y-%m-%d})"
        elif isinstance(field, forms.IntegerField):
            annotation = int
            extra.update({"minimum": low, "maximum": high})
        else:
            annotation = str
        if field_name not in required:
            annotation = annotation | None
        default = ... if field_name in required else None
        definitions[field_name] = (annotation, Field(default, description=description, json_schema_extra=extra))
    return create_model(name, __base__=base, **definitions)
