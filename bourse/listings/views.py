"""Web pages of listings: create and edit (with their photos), detail, "Mes annonces", close.

The search page is in search/views.py. Every write goes through services; a refused change shows its
French message on the page and keeps what was typed.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bourse.core.errors import add_service_error, messages_of
from bourse.core.redirects import safe_next

from . import permissions, services
from .attributes import describe_attributes, names_of
from .forms import CloseForm, ListingForm, category_attributes, category_units
from .models import Listing
from .photos import MAX_PHOTOS
from .search.views import map_config
from .serializers import contact_for
from .services import PRICED_TERMS

Status = Listing.Status


def _listing(pk: int) -> Listing:
    return get_object_or_404(
        Listing.objects.select_related("company", "category", "category__parent"), pk=pk
    )


def _flash_errors(request, exc: ValidationError) -> None:
    for message in messages_of(exc):
        messages.error(request, message)


def _photo_texts() -> dict:
    """What frontend/js/listing-form.js says about photos, in the page's language."""
    return {
        "first": _("Photo principale"),
        "before": _("Avant"),
        "after": _("Après"),
        "remove": _("Retirer"),
        "beforeLabel": _("Photo %(n)s : déplacer avant"),
        "afterLabel": _("Photo %(n)s : déplacer après"),
        "removeLabel": _("Photo %(n)s : retirer"),
        "moved": _("Photo déplacée en position %(n)s sur %(total)s."),
        "removed": _("Photo retirée."),
        "addedOne": _("Une photo ajoutée : elle sera envoyée à l'enregistrement."),
        "addedMany": _("%(n)s photos ajoutées : elles seront envoyées à l'enregistrement."),
        "badType": _("« %(name)s » n'est pas une image JPEG, PNG ou WebP."),
        "tooBig": _("« %(name)s » dépasse 10 Mo."),
        "tooMany": _("« %(name)s » n'a pas été ajoutée : %(max)s photos au plus."),
        "waiting": _("À envoyer"),
        "uploading": _("Envoi…"),
        "done": _("Envoyée"),
        "failed": _("Refusée : réessayez depuis la page de l'annonce."),
        "progressOf": _("Envoi de %(name)s"),
        "saving": _("Enregistrement de l'annonce…"),
        "sending": _("Envoi des photos : %(n)s sur %(total)s…"),
        "savedWithFailures": _(
            "Annonce enregistrée, mais %(n)s photo(s) refusée(s) (voir ci-dessus)."
        ),
        "continueLink": _("Continuer vers l'annonce"),
        "offline": _("L'enregistrement n'a pas abouti (connexion ?). Réessayez."),
    }


def _form_context(form: ListingForm, **extra) -> dict:
    return {
        "form": form,
        "max_photos": MAX_PHOTOS,
        "photo_texts": _photo_texts(),
        "category_units": category_units(),
        "category_attributes": category_attributes(),
        "priced_terms": sorted(PRICED_TERMS),
        "moderation_target_hours": settings.MODERATION_TARGET_HOURS,
        **extra,
    }


def _wants_json(request) -> bool:
    """The form's own script (frontend/js/listing-form.js) posts the fields and asks for JSON,
    then sends the new photos through the photo API with their progress shown."""
    return request.headers.get("Accept", "").startswith("application/json")


def _saved(request, listing: Listing):
    """Where to go after a save: the edit page, or its address and the photo API's for the
    form's script."""
    url = reverse("listings:edit", args=[listing.pk])
    if not _wants_json(request):
        return redirect(url)
    return JsonResponse(
        {
            "id": listing.pk,
            "url": url,
            "photos_url": reverse("listing-photos", args=[listing.pk]),
            "order_url": reverse("listing-photo-order", args=[listing.pk]),
        }
    )


def _save_photos(form: ListingForm, listing: Listing, by) -> None:
    if form.has_photo_changes():
        services.listing_photos_change(listing=listing, by=by, **form.photo_changes())
        # New photos may have sent a published listing back to the moderators.
        listing.refresh_from_db(fields=["status", "updated_at"])


@login_required
def listing_create(request):
    """A new listing. A company waiting for verification saves drafts only (the page says why)."""
    try:
        membership = permissions.check_can_prepare(request.user)
    except PermissionDenied:
        messages.error(
            request,
            _("Seule une entreprise vérifiée peut publier des annonces.")
            if request.user.membership_or_none
            else _("Déclarez d'abord votre entreprise pour publier des annonces."),
        )
        return redirect("home")
    company = membership.company
    form = ListingForm(request.POST or None, request.FILES or None, company=company)
    if request.method == "POST" and form.is_valid():
        submit = request.POST.get("action") == "submit" and company.is_verified
        try:
            with transaction.atomic():
                listing = services.listing_create(
                    company=company, by=request.user, data=form.service_data(), submit=submit
                )
                _save_photos(form, listing, request.user)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            if listing.status == Status.DRAFT:
                messages.success(request, _("Brouillon enregistré."))
            elif listing.status == Status.PUBLISHED:
                messages.success(request, _("Votre annonce est publiée."))
            else:
                messages.success(
                    request,
                    _("Annonce soumise : un conseiller de la CCI va la valider."),
                )
            return _saved(request, listing)
    return render(
        request,
        "listings/form.html",
        _form_context(
            form,
            listing=None,
            can_submit=company.is_verified,
            waiting_for_verification=not company.is_verified,
        ),
    )


@login_required
def listing_edit(request, pk: int):
    listing = _listing(pk)
    permissions.check_can_edit(request.user, listing)
    if not listing.can("edit"):
        messages.error(request, _("Une annonce clôturée ne peut plus être modifiée."))
        return redirect("listings:detail", listing.pk)
    form = ListingForm(
        request.POST or None,
        request.FILES or None,
        company=listing.company,
        photos=listing.photos.all(),
        initial=ListingForm.initial_for(listing),
    )
    if request.method == "POST" and form.is_valid():
        was = listing.status
        try:
            with transaction.atomic():
                listing = services.listing_update(
                    listing=listing, by=request.user, data=form.service_data()
                )
                _save_photos(form, listing, request.user)
                if (
                    request.POST.get("action") == "submit"
                    and listing.can("submit")
                    and listing.company.is_verified
                ):
                    listing = services.listing_submit(listing=listing, by=request.user)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            if was == Status.PUBLISHED and listing.status == Status.PENDING:
                messages.warning(
                    request,
                    _("Modification enregistrée : l'annonce repasse en validation par la CCI."),
                )
            elif listing.status == Status.PENDING and was != Status.PENDING:
                messages.success(request, _("Annonce soumise à la validation de la CCI."))
            else:
                messages.success(request, _("Modifications enregistrées."))
            return _saved(request, listing)
    return render(
        request,
        "listings/form.html",
        _form_context(
            form,
            listing=listing,
            can_submit=listing.can("submit") and listing.company.is_verified,
            waiting_for_verification=not listing.company.is_verified,
        ),
    )


def listing_detail(request, pk: int):
    listing = _listing(pk)
    permissions.check_can_view(request.user, listing)
    is_owner = permissions.is_member(request.user, listing.company)
    show_contact = permissions.can_see_contact(request.user)
    context = {
        "listing": listing,
        "photos": list(listing.photos.all()),
        "is_owner": is_owner,
        "show_contact": show_contact,
        "contact": contact_for(listing) if show_contact else None,
        "can_contact": show_contact and not is_owner and listing.is_live,
        "attributes": describe_attributes(listing.attributes, names_of(listing.category)),
        "map_config": map_config(
            lat=listing.latitude, lon=listing.longitude, radius_km=listing.radius_km
        ),
    }
    return render(request, "listings/detail.html", context)


@login_required
def listing_mine(request):
    membership = request.user.membership_or_none
    if membership is None:
        messages.info(request, _("Déclarez d'abord votre entreprise."))
        return redirect("home")
    listings = (
        Listing.objects.of_company(membership.company)
        .select_related("category", "partner_company")
        .prefetch_related("photos")
        .order_by("-updated_at", "-id")
    )
    status = request.GET.get("statut", "")
    if status in Status.values:
        listings = listings.filter(status=status)
    page = Paginator(listings, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "listings/mine.html",
        {
            "page": page,
            "company": membership.company,
            "can_publish": membership.company.is_verified,
            "can_prepare": membership.company.status
            in (membership.company.Status.VERIFIED, membership.company.Status.PENDING),
            "statuses": Status.choices,
            "current_status": status,
            "submittable": Listing.TRANSITIONS["submit"].sources,
            "editable": Listing.TRANSITIONS["edit"].sources,
        },
    )


def _simple_action(request, pk: int, service, success: str):
    listing = _listing(pk)
    permissions.check_can_edit(request.user, listing)
    try:
        service(listing=listing, by=request.user)
    except ValidationError as exc:
        _flash_errors(request, exc)
    else:
        messages.success(request, success)
    return redirect(safe_next(request, request.POST.get("next"), reverse("listings:mine")))


@login_required
@require_POST
def listing_submit(request, pk: int):
    permissions.check_can_submit(request.user, _listing(pk))
    return _simple_action(
        request, pk, services.listing_submit, _("Annonce soumise à la validation de la CCI.")
    )


@login_required
@require_POST
def listing_renew(request, pk: int):
    return _simple_action(
        request, pk, services.listing_renew, _("Annonce renouvelée pour une nouvelle période.")
    )


@login_required
@require_POST
def listing_delete(request, pk: int):
    listing = _listing(pk)
    permissions.check_can_edit(request.user, listing)
    try:
        services.listing_delete(listing=listing, by=request.user)
    except ValidationError as exc:
        _flash_errors(request, exc)
    else:
        messages.success(request, _("Annonce supprimée."))
    return redirect("listings:mine")


@login_required
def listing_close(request, pk: int):
    listing = _listing(pk)
    permissions.check_can_edit(request.user, listing)
    form = CloseForm(request.POST or None, listing=listing)
    if request.method == "POST" and form.is_valid():
        try:
            services.listing_close(
                listing=listing,
                by=request.user,
                outcome=form.cleaned_data["outcome"],
                partner_company=form.cleaned_data.get("partner_company"),
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Annonce clôturée. Merci pour votre retour !"))
            return redirect("listings:mine")
    return render(request, "listings/close.html", {"listing": listing, "form": form})


def freshness(request, token: str):
    """A one-click answer of the "still current?" e-mail (listings/freshness.py), no login: the
    page says what the link will do and its button does it; used, expired or altered links
    say so and change nothing."""
    from . import freshness as links

    link = links.follow(token) if request.method == "POST" else links.read(token)
    status = {"ok": 200, "done": 200, "used": 410, "expired": 410, "invalid": 400}[link.status]
    response = render(request, "listings/freshness.html", {"link": link}, status=status)
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return response
