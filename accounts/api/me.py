"""/api/v1/me/: the caller's account, its preferences and the export of its data."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from bourse.core.text import validate_single_line

from .. import queries, reauth, services
from ..models import User


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    phone = serializers.CharField(help_text="E.164, e.g. +33612345678; empty when not given.")
    job_title = serializers.CharField()
    terms_accepted_at = serializers.SerializerMethodField(
        help_text="When the caller accepted the terms of use in force; null when they have not "
        "(the web pages then ask them; PATCH `terms_accepted: true` accepts)."
    )
    terms_version = serializers.CharField(help_text="The version accepted last ('' for none).")
    company = serializers.SerializerMethodField()
    is_moderator = serializers.SerializerMethodField()
    moderated_departements = serializers.SerializerMethodField()

    def get_company(self, user) -> dict | None:
        membership = user.membership_or_none
        if membership is None:
            return None
        company = membership.company
        return {
            "id": company.pk,
            "name": company.name,
            "status": company.status,
            "role": membership.role,
        }

    def get_terms_accepted_at(self, user) -> datetime | None:
        if not user.has_accepted_current_terms:
            return None
        return serializers.DateTimeField().to_representation(user.terms_accepted_at)

    def get_is_moderator(self, user) -> bool:
        return hasattr(user, "moderator")

    def get_moderated_departements(self, user) -> list[str]:
        return queries.moderated_departements(user)


class MeUpdateSerializer(serializers.Serializer):
    first_name = serializers.CharField(
        validators=[validate_single_line], max_length=150, required=False, allow_blank=True
    )
    last_name = serializers.CharField(
        validators=[validate_single_line], max_length=150, required=False, allow_blank=True
    )
    phone = serializers.CharField(
        max_length=30,
        required=False,
        allow_blank=True,
        help_text="A French number in any usual form; stored and answered in E.164.",
    )
    job_title = serializers.CharField(
        validators=[validate_single_line], max_length=150, required=False, allow_blank=True
    )
    terms_accepted = serializers.BooleanField(
        required=False, help_text="`true` accepts the terms of use in force; `false` is refused."
    )

    def validate_terms_accepted(self, value: bool) -> bool:
        if not value:
            raise serializers.ValidationError(
                _(
                    "Pour refuser les conditions d'utilisation, supprimez votre compte "
                    "(DELETE /api/v1/me/)."
                )
            )
        return value


class PreferencesSerializer(serializers.Serializer):
    match_emails = serializers.ChoiceField(choices=User.MatchEmails.choices, required=False)
    message_reminders = serializers.BooleanField(required=False)
    saved_search_digest = serializers.ChoiceField(
        choices=User.DigestFrequency.choices, required=False
    )
    language = serializers.ChoiceField(
        choices=User._meta.get_field("language").choices, required=False
    )


class MeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=MeSerializer, summary="The caller's account")
    def get(self, request):
        return Response(MeSerializer(request.user).data)

    @extend_schema(
        request=MeUpdateSerializer,
        responses=MeSerializer,
        summary="Edit names, phone, job title; accept the terms of use",
    )
    def patch(self, request):
        serializer = MeUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        accept = changes.pop("terms_accepted", False)
        with transaction.atomic():
            user = services.user_update(user=request.user, **changes)
            if accept:
                user = services.terms_accept(user=user)
        return Response(MeSerializer(user).data)

    @extend_schema(
        request=None,
        responses={
            204: None,
            401: OpenApiResponse(
                response=OpenApiTypes.OBJECT,
                description=(
                    "Not authenticated (`{detail}`), or the password must be given again: "
                    "allauth's reauthentication answer `{status, data: {user, methods, flows: "
                    "[{id: reauthenticate}]}, meta}`."
                ),
            ),
        },
        summary="Delete the caller's account",
        description=(
            "Asks for the password again: without a reauthentication in the last few minutes "
            "the answer is 401 with allauth's `reauthenticate` flow; send the password to "
            "`POST /_allauth/{app|browser}/v1/auth/reauthenticate`, then repeat this request. "
            "When the caller was the company's last member, its listings are withdrawn and the "
            "company leaves the exchange."
        ),
    )
    def delete(self, request):
        refusal = reauth.api_reauthentication_response(request)
        if refusal is not None:
            return refusal
        services.user_delete(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MePreferencesView(APIView):
    """Which e-mails the caller gets, and the language they are written in."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=PreferencesSerializer, summary="The caller's notification preferences")
    def get(self, request):
        return Response(PreferencesSerializer(request.user).data)

    @extend_schema(
        request=PreferencesSerializer,
        responses=PreferencesSerializer,
        summary="Change some notification preferences",
    )
    def patch(self, request):
        serializer = PreferencesSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.preferences_update(user=request.user, **serializer.validated_data)
        return Response(PreferencesSerializer(user).data)


class MeExportView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses=inline_serializer("PersonalData", {"user": serializers.DictField()}),
        summary="Every personal datum held about the caller (RGPD)",
    )
    def get(self, request):
        response = Response(queries.user_personal_data(request.user))
        response["Content-Disposition"] = 'attachment; filename="mes-donnees.json"'
        return response
