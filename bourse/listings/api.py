"""Listings API (docs/api.md "Categories" and "Listings"), write side and detail.

Note for the search side (bourse/listings/search/): `/api/v1/listings/` is ONE view,
`ListingCollectionView` below. Its GET delegates to `search.search_listings_response(request,
view=self)` (with search.SEARCH_PARAMETERS for the schema); its POST creates a listing. Keep that
function's signature; `ListingSearchAPIView` itself is not routed.
"""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import ListAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Company
from bourse.core.throttling import WRITE_THROTTLES, PhotoUploadThrottle

from . import permissions, services
from .models import Category, Listing, ListingPhoto
from .search import SEARCH_PARAMETERS, PaginatedListingSearchSerializer, search_listings_response
from .serializers import (
    CategorySerializer,
    ListingCloseSerializer,
    ListingCreateSerializer,
    ListingDetailSerializer,
    ListingInputSerializer,
    ListingPhotoSerializer,
    ListingSerializer,
    PhotoOrderSerializer,
    PhotoUploadSerializer,
)


def listing_response(request, listing: Listing, status_code: int = status.HTTP_200_OK) -> Response:
    """A listing after a write: exactly the fields of the API contract (docs/api.md)."""
    listing = Listing.objects.for_api().get(pk=listing.pk)
    serializer = ListingSerializer(listing, context={"request": request})
    return Response(serializer.data, status=status_code)


def get_listing(pk: int) -> Listing:
    return get_object_or_404(Listing.objects.select_related("company", "category"), pk=pk)


class CategoryListView(APIView):
    """GET /api/v1/categories/: the whole taxonomy, each parent followed by its children."""

    permission_classes = [AllowAny]

    @extend_schema(responses={200: CategorySerializer(many=True)})
    def get(self, request):
        categories = list(Category.objects.select_related("parent").prefetch_related("children"))
        parents = sorted(
            (c for c in categories if c.parent_id is None), key=lambda c: (c.position, c.name)
        )
        ordered = []
        for parent in parents:
            ordered.append(parent)
            ordered += sorted(
                (c for c in categories if c.parent_id == parent.pk),
                key=lambda c: (c.position, c.name),
            )
        return Response(CategorySerializer(ordered, many=True).data)


class ListingCollectionView(APIView):
    """GET: published listings (search, bourse/listings/search/). POST: a new listing."""

    def get_permissions(self):
        if self.request.method == "POST":
            return [IsAuthenticated()]
        return [AllowAny()]

    @extend_schema(
        operation_id="listings_search",
        parameters=SEARCH_PARAMETERS,
        responses={200: PaginatedListingSearchSerializer},
        description="Published listings; `distance_km` on each when a point is given.",
    )
    def get(self, request, *args, **kwargs):
        return search_listings_response(request, view=self)

    @extend_schema(
        operation_id="listings_create",
        request=ListingCreateSerializer,
        responses={201: ListingSerializer},
    )
    def post(self, request, *args, **kwargs):
        membership = permissions.check_can_create(request.user)
        serializer = ListingCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        submit = data.pop("submit", True)
        listing = services.listing_create(
            company=membership.company,
            by=request.user,
            data=data,
            submit=submit,
        )
        return listing_response(request, listing, status.HTTP_201_CREATED)


class ListingMineView(ListAPIView):
    """GET /api/v1/listings/mine/: the caller's company's listings in every status."""

    permission_classes = [IsAuthenticated]
    serializer_class = ListingSerializer
    filter_backends: list = []

    def get_queryset(self):
        membership = self.request.user.membership_or_none
        if membership is None:
            raise PermissionDenied(_("Vous n'appartenez à aucune entreprise."))
        return (
            Listing.objects.for_api()
            .filter(company_id=membership.company_id)
            .order_by("-updated_at", "-id")
        )


class ListingDetailView(APIView):
    """GET/PATCH/DELETE /api/v1/listings/{id}/."""

    @extend_schema(
        responses={200: ListingDetailSerializer},
        description="`contact` is present only for members of verified companies.",
    )
    def get(self, request, pk: int):
        listing = get_listing(pk)
        permissions.check_can_view(request.user, listing)
        listing = Listing.objects.for_api().get(pk=listing.pk)
        context = {"request": request, "show_contact": permissions.can_see_contact(request.user)}
        return Response(ListingDetailSerializer(listing, context=context).data)

    @extend_schema(request=ListingInputSerializer, responses={200: ListingSerializer})
    def patch(self, request, pk: int):
        listing = get_listing(pk)
        permissions.check_can_edit(request.user, listing)
        serializer = ListingInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        listing = services.listing_update(
            listing=listing,
            by=request.user,
            data=dict(serializer.validated_data),
        )
        return listing_response(request, listing)

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        listing = get_listing(pk)
        permissions.check_can_edit(request.user, listing)
        services.listing_delete(listing=listing, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ListingSubmitView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={200: ListingSerializer})
    def post(self, request, pk: int):
        listing = get_listing(pk)
        permissions.check_can_submit(request.user, listing)
        listing = services.listing_submit(listing=listing, by=request.user)
        return listing_response(request, listing)


class ListingCloseView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=ListingCloseSerializer, responses={200: ListingSerializer})
    def post(self, request, pk: int):
        listing = get_listing(pk)
        permissions.check_can_edit(request.user, listing)
        serializer = ListingCloseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        partner = None
        partner_id = serializer.validated_data.get("partner_company")
        if partner_id is not None:
            partner = Company.objects.filter(pk=partner_id).first()
            if partner is None:
                raise serializers.ValidationError({"partner_company": [_("Entreprise inconnue.")]})
        listing = services.listing_close(
            listing=listing,
            by=request.user,
            outcome=serializer.validated_data["outcome"],
            partner_company=partner,
        )
        return listing_response(request, listing)


class ListingRenewView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={200: ListingSerializer})
    def post(self, request, pk: int):
        listing = get_listing(pk)
        permissions.check_can_edit(request.user, listing)
        listing = services.listing_renew(listing=listing, by=request.user)
        return listing_response(request, listing)


class ListingPhotoCreateView(APIView):
    permission_classes = [IsAuthenticated]
    throttle_classes = [*WRITE_THROTTLES, PhotoUploadThrottle]  # decoding costs CPU
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request=PhotoUploadSerializer, responses={201: ListingPhotoSerializer})
    def post(self, request, pk: int):
        listing = get_listing(pk)
        permissions.check_can_edit(request.user, listing)
        upload = request.FILES.get("image")
        if upload is None:
            message = _("Joignez une image (champ « image »).")
            raise serializers.ValidationError({"image": [message]})
        photo = services.listing_photo_add(listing=listing, by=request.user, upload=upload)
        return Response(
            ListingPhotoSerializer(photo, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class ListingPhotoDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None})
    def delete(self, request, pk: int, photo_id: int):
        listing = get_listing(pk)
        permissions.check_can_edit(request.user, listing)
        photo = get_object_or_404(ListingPhoto, pk=photo_id, listing=listing)
        services.listing_photo_delete(photo=photo, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ListingPhotoOrderView(APIView):
    """PUT /api/v1/listings/{id}/photos/order/ {"photos": [ids]}: the photos in a new order."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=PhotoOrderSerializer, responses={200: ListingPhotoSerializer(many=True)})
    def put(self, request, pk: int):
        listing = get_listing(pk)
        permissions.check_can_edit(request.user, listing)
        serializer = PhotoOrderSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        photos = services.listing_photos_order(
            listing=listing, by=request.user, order=serializer.validated_data["photos"]
        )
        return Response(
            ListingPhotoSerializer(photos, many=True, context={"request": request}).data
        )
