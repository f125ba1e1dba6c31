"""The JSON API: each app contributes a router; errors are always `{"error": "…"}`."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import HttpError, ValidationError
from ninja.openapi.schema import OpenAPISchema

from common.api import repeated_parameter_error
from servicepoints.api import router as servicepoints_router
from visits.api import router as visits_router


class EspooAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs: Any) -> OpenAPISchema:
        """The generated description, with optional query parameters described as what they are.

        Pydantic writes an optional parameter as "string or null", but a query string cannot
        carry a null: the parameter is absent or a string. A client or fuzzer that believed the
        null would send the text "null" and get a 400 for input the description called valid.
        """
        schema = super().get_openapi_schema(**kwargs)
        for path in schema["paths"].values():
            for operation in path.values():
                for parameter in operation.get("parameters", ()):
                    _drop_null(parameter["schema"])
        return schema


def _drop_null(schema: dict) -> None:
    variants = [v for v in schema.get("anyOf", ()) if v != {"type": "null"}]
    if len(variants) == 1 and len(schema["anyOf"]) == 2:
        del schema["anyOf"]
        # What is said beside the anyOf (the described pattern, the range) is the final word.
        outer = dict(schema)
        schema.update(variants[0])
        schema.update(outer)


api = EspooAPI(
    title="Espoo face-to-face service API",
    version="1",
    description="Where and when Espoo residents can get face-to-face help. Read-only, no login.",
    docs_url=None,
    urls_namespace="api",
)
api.add_router("", servicepoints_router)
api.add_router("", visits_router)


def _describe(error: dict) -> str:
    location = [str(part) for part in error.get("loc", ()) if part not in ("query", "filters")]
    where = f"'{'.'.join(location)}': " if location else ""
    message = error.get("msg", "invalid value")
    if error.get("type") == "string_pattern_mismatch":
        message = "use the form YYYY-MM-DD"
    return f"{where}{message}"


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    message = repeated_parameter_error(request) or "; ".join(_describe(e) for e in exc.errors)
    return api.create_response(request, {"error": message}, status=400)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return api.create_response(request, {"error": str(exc)}, status=exc.status_code)
