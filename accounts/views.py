"""Web pages: my account, my company (members, invitations), a company's public page."""

from __future__ import annotations

import json

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from bourse.core.errors import ServiceError, add_service_error

from . import permissions, queries, services
from . import unsubscribe as unsubscribe_links
from .forms import (
    CompanyForm,
    DeleteAccountForm,
    InvitationForm,
    PreferencesForm,
    ProfileForm,
    RoleForm,
)
from .models import Company, Invitation, Membership, User
from .phones import format_phone

# --- My account ----------------------------------------------------------------------------


@login_required
def profile(request):
    user = request.user
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            try:
                services.user_update(user=user, **form.cleaned_data)
            except ServiceError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("Vos informations ont été enregistrées."))
                return redirect("accounts:profile")
        return _profile_page(request, form=form, status=400)
    return _profile_page(request, form=_identity_form(user))


def _identity_form(user) -> ProfileForm:
    return ProfileForm(
        initial={
            "first_name": user.first_name,
            "last_name": user.last_name,
            "job_title": user.job_title,
            "phone": format_phone(user.phone),
        }
    )


def _profile_page(request, *, form, preferences_form=None, status=200):
    user = request.user
    return render(
        request,
        "accounts/profile.html",
        {
            "form": form,
            "delete_form": DeleteAccountForm(),
            "preferences_form": preferences_form or PreferencesForm(instance=user),
            "invitations": queries.pending_invitations_for(user),
            "moderated_departements": queries.moderated_departements(user),
        },
        status=status,
    )


@login_required
@require_POST
def preferences(request):
    """The account page's notification preferences section."""
    # A copy: an invalid form must not leave its values on request.user for the page.
    form = PreferencesForm(request.POST, instance=User.objects.get(pk=request.user.pk))
    if not form.is_valid():
        return _profile_page(
            request, form=_identity_form(request.user), preferences_form=form, status=400
        )
    fields = {name: form.cleaned_data[name] for name in form.fields}
    services.preferences_update(user=request.user, **fields)
    messages.success(request, _("Vos préférences de notification ont été enregistrées."))
    return redirect(f"{reverse('accounts:profile')}#preferences-title")


@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """The one-click unsubscribe link of an e-mail (accounts/unsubscribe.py): no login, no
    CSRF token (a mail client POSTs `List-Unsubscribe=One-Click` with no cookie); the page
    says what was turned off and how to turn it back on."""
    outcome = unsubscribe_links.unsubscribe(token)
    status = {"done": 200, "used": 410, "invalid": 400}[outcome.status]
    response = render(request, "accounts/unsubscribe.html", {"outcome": outcome}, status=status)
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return response


@login_required
def export(request):
    data = queries.user_personal_data(request.user)
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="mes-donnees-bourse-entraide.json"'
    return response


@login_required
@reauthentication_required
def delete_account(request):
    """Delete one's account, after typing the password again (allauth's reauthentication)."""
    form = DeleteAccountForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        user = request.user
        logout(request)
        services.user_delete(user=user)
        messages.success(
            request, _("Votre compte a été supprimé. Merci d'avoir utilisé la bourse.")
        )
        return redirect("home")
    return render(request, "accounts/delete.html", {"delete_form": form})


# --- My company ----------------------------------------------------------------------------


def _my_membership(request) -> Membership:
    membership = permissions.membership_of(request.user)
    if membership is None:
        raise Http404
    return membership


def _company_page(request, membership: Membership, invite_form: InvitationForm | None = None):
    company = membership.company
    is_admin = membership.is_admin
    members = list(queries.company_members(company))
    context = {
        "company": company,
        "membership": membership,
        "is_admin": is_admin,
        "members": members,
        # The last admin can neither step down nor leave: those buttons would only fail.
        "sole_admin": sum(m.is_admin for m in members) == 1,
        "invitations": (
            Invitation.objects.open().filter(company=company).select_related("invited_by")
            if is_admin
            else []
        ),
        "invite_form": invite_form or InvitationForm(),
    }
    return render(request, "accounts/company.html", context)


@login_required
def company(request):
    membership = permissions.membership_of(request.user)
    if membership is None:
        invitation = queries.pending_invitations_for(request.user).first()
        if invitation is not None:
            return redirect("accounts:invitation", invitation.token)
        return redirect("accounts:company_create")
    return _company_page(request, membership)


def _registry_texts() -> dict:
    """What frontend/js/siret-lookup.js says about the registry's answer, in the page's language."""
    return {
        "asking": _("Consultation du registre des entreprises…"),
        "found": _("Le registre des entreprises indique : %(summary)s."),
        "active": _("Établissement actif"),
        "closed": _("Établissement fermé selon le registre"),
        "headOffice": _("%(state)s (siège)."),
        "branch": _("%(state)s (établissement secondaire)."),
        "use": _("Reprendre ces informations"),
        "used": _("Informations reprises du registre : vérifiez-les et corrigez si besoin."),
        "unknown": _("Le registre ne connaît pas ce SIRET : vérifiez les chiffres saisis."),
        "unreachable": _("Registre injoignable : complétez le formulaire à la main."),
    }


@login_required
def company_create(request):
    if permissions.membership_of(request.user) is not None:
        messages.info(request, _("Vous êtes déjà membre d'une entreprise."))
        return redirect("accounts:company")
    form = CompanyForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.company_create(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request,
                _(
                    "Votre entreprise est déclarée. Un conseiller CCI va la vérifier ; vous serez "
                    "prévenu par e-mail."
                ),
            )
            return redirect("accounts:company")
    return render(
        request,
        "accounts/company_form.html",
        {
            "form": form,
            "creating": True,
            "invitations": queries.pending_invitations_for(request.user),
            "registry_texts": _registry_texts(),
        },
    )


@login_required
def company_edit(request):
    membership = _my_membership(request)
    company = membership.company
    permissions.check_company_admin(request.user, company)
    initial = {field: getattr(company, field) for field in services.COMPANY_EDITABLE_FIELDS}
    initial["phone"] = format_phone(company.phone)
    form = CompanyForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        changes = {f: form.cleaned_data[f] for f in form.changed_data}
        was_verified = company.is_verified
        try:
            company = services.company_update(company=company, by=request.user, **changes)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            if was_verified and not company.is_verified:
                messages.warning(
                    request,
                    _(
                        "Le nom ou le SIRET a changé : l'entreprise repasse en vérification "
                        "auprès d'un conseiller CCI."
                    ),
                )
            else:
                messages.success(request, _("Les informations de l'entreprise sont enregistrées."))
            return redirect("accounts:company")
    return render(
        request,
        "accounts/company_form.html",
        {
            "form": form,
            "creating": False,
            "company": company,
            "registry_texts": _registry_texts(),
        },
    )


@login_required
@require_POST
def invitation_create(request):
    membership = _my_membership(request)
    permissions.check_company_admin(request.user, membership.company)
    form = InvitationForm(request.POST)
    if form.is_valid():
        try:
            services.invitation_create(
                company=membership.company, by=request.user, email=form.cleaned_data["email"]
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request,
                _("Invitation envoyée à %(email)s.") % {"email": form.cleaned_data["email"]},
            )
            return redirect("accounts:company")
    return _company_page(request, membership, invite_form=form)


@login_required
@require_POST
def invitation_revoke(request, pk: int):
    membership = _my_membership(request)
    permissions.check_company_admin(request.user, membership.company)
    invitation = get_object_or_404(Invitation.objects.open(), pk=pk, company=membership.company)
    services.invitation_revoke(invitation=invitation, by=request.user)
    messages.success(request, _("Invitation annulée."))
    return redirect("accounts:company")


@login_required
@require_POST
def member_remove(request, pk: int):
    mine = _my_membership(request)
    target = get_object_or_404(
        Membership.objects.select_related("user", "company"), pk=pk, company=mine.company
    )
    permissions.check_can_remove_member(request.user, target)
    try:
        services.membership_remove(membership=target, by=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("accounts:company")
    if target.user_id == request.user.pk:
        target.company.refresh_from_db(fields=["status"])
        if target.company.status == Company.Status.LEFT:
            messages.success(
                request,
                _(
                    "Vous avez quitté l'entreprise. Vous en étiez le dernier membre : ses "
                    "annonces sont retirées et elle a quitté la bourse."
                ),
            )
            return redirect("accounts:profile")
        messages.success(request, _("Vous avez quitté l'entreprise."))
        return redirect("accounts:profile")
    messages.success(
        request,
        _("%(name)s ne fait plus partie de l'entreprise.") % {"name": target.user.display_name},
    )
    return redirect("accounts:company")


@login_required
@require_POST
def member_role(request, pk: int):
    mine = _my_membership(request)
    permissions.check_company_admin(request.user, mine.company)
    target = get_object_or_404(Membership, pk=pk, company=mine.company)
    form = RoleForm(request.POST)
    if not form.is_valid():
        raise PermissionDenied
    try:
        services.membership_set_role(
            membership=target, role=form.cleaned_data["role"], by=request.user
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Rôle mis à jour."))
    return redirect("accounts:company")


# --- Public company page -------------------------------------------------------------------


def company_detail(request, pk: int):
    company = get_object_or_404(Company.objects.select_related("declared_by"), pk=pk)
    permissions.check_can_view_company(request.user, company)
    show_contact = permissions.can_see_contact_details(request.user, company)
    # `listings` is the reverse relation the listings app declares (accounts may not import it).
    listings = (
        company.listings.published()
        .select_related("category", "company")
        .prefetch_related("photos")
        .order_by("-published_at")[:12]
    )
    return render(
        request,
        "accounts/company_detail.html",
        {
            "company": company,
            "show_contact": show_contact,
            "members": (
                queries.company_members(company)
                if permissions.can_see_members(request.user, company)
                else []
            ),
            "is_member": permissions.is_member(request.user, company),
            # Who declared it: for the moderators who check it, not its colleagues or partners.
            "show_declarer": permissions.is_moderator_for(request.user, company),
            "listings": listings,
        },
    )


# --- Invitations (the invitee's side) ------------------------------------------------------


def invitation(request, token: str):
    invitation = get_object_or_404(
        Invitation.objects.select_related("company", "invited_by"), token=token
    )
    context = {"invitation": invitation, "can_accept": False, "reason": ""}
    user = request.user
    if user.is_authenticated:
        if not invitation.is_open:
            context["reason"] = _("Cette invitation n'est plus valable.")
        elif invitation.email.lower() not in services.user_verified_emails(user):
            context["reason"] = _(
                "Cette invitation est adressée à %(email)s. Connectez-vous avec cette adresse pour "
                "l'accepter."
            ) % {"email": invitation.email}
        elif permissions.membership_of(user) is not None:
            context["reason"] = _(
                "Vous êtes déjà membre d'une entreprise : quittez-la avant d'en rejoindre "
                "une autre."
            )
        else:
            context["can_accept"] = True
        if request.method == "POST" and context["can_accept"]:
            try:
                services.invitation_accept(invitation=invitation, user=user)
            except ValidationError as exc:
                context["reason"] = " ".join(exc.messages)
                context["can_accept"] = False
            else:
                messages.success(
                    request,
                    _("Bienvenue chez %(company)s !") % {"company": invitation.company.name},
                )
                return redirect("accounts:company")
    return render(request, "accounts/invitation.html", context)
