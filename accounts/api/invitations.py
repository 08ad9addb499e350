"""Invitations: a company admin's (/api/v1/companies/{id}/invitations/) and the invitee's
(/api/v1/invitations/)."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import (
    extend_schema,
)
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import permissions, queries, services
from ..models import Company, Invitation, User
from .me import MeSerializer


class InvitationSerializer(serializers.ModelSerializer):
    invited_by = serializers.SerializerMethodField()
    company = serializers.SerializerMethodField()

    class Meta:
        model = Invitation
        fields = ["id", "email", "company", "invited_by", "created_at", "token"]

    def get_invited_by(self, invitation: Invitation) -> str | None:
        return invitation.invited_by.display_name if invitation.invited_by else None

    def get_company(self, invitation: Invitation) -> dict:
        return {"id": invitation.company_id, "name": invitation.company.name}

    def to_representation(self, invitation: Invitation) -> dict:
        data = super().to_representation(invitation)
        # The token is the invitee's key: shown to the invitee only, never to the inviting admin.
        if not self.context.get("show_token"):
            data.pop("token")
        return data


class InvitationInputSerializer(serializers.Serializer):
    email = serializers.EmailField()


class CompanyInvitationsView(ListAPIView):
    serializer_class = InvitationSerializer
    permission_classes = [IsAuthenticated]
    queryset = Invitation.objects.none()  # for the schema; get_queryset() is the real one

    def get_company(self) -> Company:
        company = get_object_or_404(Company, pk=self.kwargs["pk"])
        permissions.check_can_view_company(self.request.user, company)
        permissions.check_company_admin(self.request.user, company)
        return company

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return (
            Invitation.objects.open()
            .filter(company=self.get_company())
            .select_related("company", "invited_by")
        )

    @extend_schema(summary="Open invitations of a company (admins)")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=InvitationInputSerializer,
        responses={201: InvitationSerializer},
        summary="Invite a colleague by e-mail (admins)",
    )
    def post(self, request, pk: int):
        company = self.get_company()
        serializer = InvitationInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        invitation = services.invitation_create(
            company=company,
            by=request.user,
            email=serializer.validated_data["email"],
        )
        return Response(InvitationSerializer(invitation).data, status=status.HTTP_201_CREATED)


class CompanyInvitationDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None}, summary="Revoke an invitation (admins)")
    def delete(self, request, pk: int, invitation_pk: int):
        company = get_object_or_404(Company, pk=pk)
        permissions.check_can_view_company(request.user, company)
        permissions.check_company_admin(request.user, company)
        invitation = get_object_or_404(Invitation.objects.open(), pk=invitation_pk, company=company)
        services.invitation_revoke(invitation=invitation, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MyInvitationsView(ListAPIView):
    serializer_class = InvitationSerializer
    permission_classes = [IsAuthenticated]
    queryset = Invitation.objects.none()  # for the schema; get_queryset() is the real one

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return queries.pending_invitations_for(self.request.user)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "show_token": True}

    @extend_schema(summary="Invitations waiting for the caller (to their verified e-mails)")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class InvitationAcceptView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses=MeSerializer, summary="Accept an invitation")
    def post(self, request, token: str):
        invitation = get_object_or_404(Invitation, token=token)
        # An invitation addressed to someone else is not the caller's to know about.
        if invitation.email.lower() not in services.user_verified_emails(request.user):
            raise Http404
        services.invitation_accept(invitation=invitation, user=request.user)
        return Response(MeSerializer(User.objects.get(pk=request.user.pk)).data)
