"""The OpenAPI schema class of every app's API (settings REST_FRAMEWORK DEFAULT_SCHEMA_CLASS).

drf-spectacular documents the success answer of an endpoint; this adds the error answers the
project's API gives everywhere (partnerskap/api.py), unless a view documents them itself:

| endpoint                         | answer | when                                              |
|----------------------------------|--------|---------------------------------------------------|
| with an id or slug in the path   | 404    | no such object, or not visible to you             |
| paginated list                   | 404    | no such page (`page` beyond the last)             |
| list with filters                | 400    | an invalid filter value, by parameter name        |
| a write (POST, PATCH, PUT, DELETE) | 400, 401, 403 | invalid input; not logged in; not allowed  |

A separate module from partnerskap/api.py: REST framework imports that one while its own
classes are still being defined, and drf-spectacular imports REST framework's.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class ErrorDetailSerializer(serializers.Serializer):
    detail = serializers.CharField()


def _errors() -> dict[str, OpenApiResponse]:
    return {
        "invalid": OpenApiResponse(
            response=OpenApiTypes.OBJECT,
            description=_("Invalid input: messages by field or parameter name."),
        ),
        "not_logged_in": OpenApiResponse(
            response=ErrorDetailSerializer, description=_("Not logged in.")
        ),
        "forbidden": OpenApiResponse(response=ErrorDetailSerializer, description=_("Not allowed.")),
        "not_found": OpenApiResponse(
            response=ErrorDetailSerializer,
            description=_("No such object or page, or not visible to you."),
        ),
    }


class PortalAutoSchema(AutoSchema):
    def _error_answers(self) -> dict[str, OpenApiResponse]:
        errors = _errors()
        answers: dict[str, OpenApiResponse] = {}
        if "{" in self.path:
            answers["404"] = errors["not_found"]
        if self.method == "GET" and self._is_list_view():
            if self._get_paginator() is not None:
                answers["404"] = errors["not_found"]
            if getattr(self.view, "filterset_class", None):
                answers["400"] = errors["invalid"]
        if self.method not in ("GET", "HEAD", "OPTIONS"):
            answers["400"] = errors["invalid"]
            answers["401"] = errors["not_logged_in"]
            answers["403"] = errors["forbidden"]
        return answers

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code, answer in self._error_answers().items():
            if code not in responses:
                responses[code] = self._get_response_for_code(answer, code, direction=direction)
        return responses
