"""The OpenAPI schema tells every error an endpoint can answer (drf-spectacular hook).

Views describe their successes; the errors are the same everywhere and come from the platform:
400 with `{field: [messages]}` when the request has input (a body or query parameters), 401
without a valid session, 403 when the caller is not allowed, 404 for an id the caller may not
know (every path with a parameter), 413 for a body over the limit, 429 for a throttled write.
This hook adds the ones an operation lacks, so that a client (and schemathesis in CI) can trust
the schema for the whole answer, not only the happy path.
"""

from __future__ import annotations

ERROR = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
VALIDATION_ERRORS = {
    "type": "object",
    "description": "Messages per field; `non_field_errors` for the request as a whole.",
    "additionalProperties": True,
}
WRITES = {"post", "put", "patch", "delete"}
# Response fields present only in some answers (drf-spectacular marks every read-only field
# required): component → fields.
OPTIONAL_FIELDS = {
    "ListingSearchResult": ["distance_km"],  # only when the search has a point
}


def _response(description: str, schema_name: str) -> dict:
    return {
        "description": description,
        "content": {
            "application/json": {"schema": {"$ref": f"#/components/schemas/{schema_name}"}}
        },
    }


def document_error_responses(result, generator, request, public):
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("Error", ERROR)
    schemas.setdefault("ValidationErrors", VALIDATION_ERRORS)
    for component, fields in OPTIONAL_FIELDS.items():
        if component in schemas and "required" in schemas[component]:
            schemas[component]["required"] = [
                name for name in schemas[component]["required"] if name not in fields
            ]
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in WRITES | {"get"}:
                continue
            responses = operation.setdefault("responses", {})
            has_input = "requestBody" in operation or any(
                p.get("in") == "query" for p in operation.get("parameters", [])
            )
            extra = {}
            if operation.get("security") != [{}]:  # [{}]: no authentication at all (public lookup)
                extra["401"] = ("Not authenticated.", "Error")
                extra["403"] = ("Not allowed.", "Error")
            if has_input or method in WRITES:
                extra["400"] = ("Invalid input.", "ValidationErrors")
            paginated = any(p.get("name") == "page" for p in operation.get("parameters", []))
            if "{" in path or paginated:
                extra["404"] = (
                    "Not found, or not the caller's to know (or no such page).",
                    "Error",
                )
            if method in WRITES:
                extra["413"] = ("Request body too large.", "Error")
                extra["429"] = ("Too many writes: see the Retry-After header.", "Error")
            for status, (description, schema_name) in extra.items():
                responses.setdefault(status, _response(description, schema_name))
    return result
