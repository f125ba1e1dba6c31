"""What every JSON endpoint shares: the language parameter, one value per parameter, dates, GeoJSON,
the error body."""

import datetime
from typing import Any, Literal

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from ninja import Field, Schema
from ninja.errors import HttpError
from pydantic import create_model

from common.forms import EARLIEST_DATE, LATEST_DATE, IsoDateField

Language = Literal["fi", "sv", "en"]
# What parsing insists on (the forms' own parser would also take 2026-1-1); the description
# states the stricter DATE_PATTERN below, whose other dates the forms refuse with a clear message.
ISO_DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
# With `format: date`, this pattern admits exactly the real dates of EARLIEST_DATE..LATEST_DATE
# (the years 2000–2099), so a client or fuzzer that honours the description never sends a date
# the forms refuse. `formatMinimum`/`formatMaximum` say the same for validators that read them.
DATE_PATTERN = r"^20\d{2}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$"


def date_schema(*, examples: list[str] | None = None) -> dict[str, Any]:
    """JSON Schema keywords of a date parameter: its form and the range IsoDateField accepts."""
    schema: dict[str, Any] = {
        "format": "date",
        "pattern": DATE_PATTERN,
        "formatMinimum": EARLIEST_DATE.isoformat(),
        "formatMaximum": LATEST_DATE.isoformat(),
    }
    if examples:
        schema["examples"] = examples
    return schema


def date_description(description: str) -> str:
    return f"{description} (YYYY-MM-DD, {EARLIEST_DATE:%Y-%m-%d} to {LATEST_DATE:%Y-%m-%d})"


class ErrorOut(Schema):
    """Every refusal: status 400 and one line saying what to change."""

    error: str = Field(..., description="What was wrong with the request, in English")


def responses(ok: object) -> dict[int, object]:
    """The responses every operation documents: its answer, or a 400 with the error body."""
    return {200: ok, 400: ErrorOut}


def prepared_response(request: HttpRequest, response: HttpResponse, data: object) -> HttpResponse:
    """`data` written by the API's renderer, as ninja writes any answer, but not validated against
    the route's response schema first: for answers a selector builds in exactly that shape, where
    validating a page of 500 visits again cost as much as building it. tests/test_openapi_fuzz.py
    holds the answers to the schema."""
    from espoo_service.api import api  # the API object imports the routers that call this

    response.content = api.renderer.render(request, data, response_status=response.status_code)
    return response


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
    """`value` as a date by the rules of the site's forms (IsoDateField), or a 400 naming `name`."""
    try:
        return IsoDateField().clean(value)
    except ValidationError as error:
        with translation.override("en"):
            raise HttpError(400, f"'{name}': {' '.join(error.messages)}") from None


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
    examples: dict[str, list[str]] | None = None,
) -> type[Schema]:
    """The query parameters of `form_class` as a schema for the OpenAPI document.

    The form stays the place the parameters are validated; this describes them, built from the
    form's own fields, so the description cannot drift from what is enforced. Only a date's plain
    shape, YYYY-MM-DD, is enforced here too: the form's parser would also take 2026-1-1. `fields`
    maps each parameter to its description; `base` adds parameters that are not the form's;
    `examples` gives example values (a fuzzer starts from them).
    """
    definitions: dict[str, Any] = {}
    for field_name, description in fields.items():
        field = form_class.base_fields[field_name]
        low, high = _limits(field)
        extra: dict[str, Any] = {}
        pattern = None
        if isinstance(field, forms.DateField):
            # The range is described but left to the form, whose message names the limit.
            annotation: Any = str
            pattern = ISO_DATE_PATTERN
            if (low, high) != (EARLIEST_DATE, LATEST_DATE):
                raise ValueError(f"{field_name}: DATE_PATTERN describes no other range than the forms' own")
            extra.update(date_schema(examples=examples.get(field_name) if examples else None))
            description = date_description(description)
        elif isinstance(field, forms.IntegerField):
            annotation = int
            extra.update({"minimum": low, "maximum": high})
        else:
            annotation = str
        if field_name not in required:
            annotation = annotation | None
        default = ... if field_name in required else None
        definitions[field_name] = (
            annotation,
            Field(default, pattern=pattern, description=description, json_schema_extra=extra),
        )
    return create_model(name, __base__=base, **definitions)
