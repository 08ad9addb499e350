"""Forms of the moderation pages: an action with its reason, a report decision, a crisis."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from bourse.core.text import validate_single_line, validate_text
from bourse.listings.models import Category

from . import actions
from .actions import needing_reason
from .bulk import MAX_IDS
from .models import AdvisorCall, Report

REASON_REQUIRED = _("Veuillez indiquer un motif : l'entreprise le verra.")


class ActionForm(forms.Form):
    """One moderator action on a company or a listing; some actions need a reason."""

    action = forms.ChoiceField(choices=())
    reason_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    reason = forms.CharField(
        validators=[validate_text],
        label=_("Motif"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, actions: dict[str, str], needs_reason: set[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = list(actions.items())
        self.needs_reason = needs_reason

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("action") in self.needs_reason
            and not cleaned.get("reason", "").strip()
            and not cleaned.get("reason_id")
        ):
            self.add_error("reason", REASON_REQUIRED)
        return cleaned


class BulkForm(ActionForm):
    """One action, and its reason, for the items ticked in a queue (`ids`, at most MAX_IDS)."""

    def clean(self):
        cleaned = super().clean()
        ids = [int(raw) for raw in self.data.getlist("ids") if raw.isdigit()]
        if not ids:
            self.add_error(None, _("Cochez au moins un élément de la liste."))
        cleaned["ids"] = ids[:MAX_IDS]
        return cleaned


COMPANY_ACTIONS = {
    "verify": _("Vérifier"),
    "reject": _("Refuser"),
    "suspend": _("Suspendre"),
    "reinstate": _("Rétablir"),
}
COMPANY_NEEDS_REASON = needing_reason(actions.COMPANY_ACTIONS)

LISTING_ACTIONS = {
    "approve": _("Approuver"),
    "reject": _("Refuser"),
    "hide": _("Masquer"),
}
LISTING_NEEDS_REASON = needing_reason(actions.LISTING_ACTIONS)

DECISION_LABELS = {
    Report.Decision.DISMISSED: _("Classer sans suite"),
    Report.Decision.WARNED: _("Avertir l'entreprise"),
    Report.Decision.LISTING_HIDDEN: _("Masquer l'annonce"),
    Report.Decision.COMPANY_SUSPENDED: _("Suspendre l'entreprise"),
}


class ResolveForm(forms.Form):
    label_suffix = ""
    decision = forms.ChoiceField(label=_("Décision"), choices=list(DECISION_LABELS.items()))
    note = forms.CharField(
        validators=[validate_text],
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Obligatoire sauf pour un classement sans suite : l'entreprise la verra."),
    )

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("decision") in Report.DECISIONS_NEEDING_NOTE
            and not cleaned.get("note", "").strip()
        ):
            self.add_error("note", REASON_REQUIRED)
        return cleaned


class TerritoryFilterForm(forms.Form):
    """A page's filter on one département of the moderator's territory (empty: all of it)."""

    label_suffix = ""
    departement = forms.ChoiceField(label=_("Département"), required=False, choices=())

    def __init__(self, *args, departements: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departement"].choices = [("", _("Tout mon territoire"))] + departements


class StatsForm(TerritoryFilterForm):
    since = forms.DateField(
        label=_("Depuis le"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class ReportForm(forms.Form):
    """A company member reports a listing, a company or a message."""

    label_suffix = ""
    target_type = forms.ChoiceField(choices=Report.TargetType.choices, widget=forms.HiddenInput)
    target_id = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        validators=[validate_text],
        label=_("Qu'est-ce qui ne va pas ?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Un conseiller CCI lira votre signalement. Soyez précis : dates, faits."),
        error_messages={"required": _("Expliquez ce qui ne va pas.")},
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class AdvisorCallForm(forms.Form):
    """One call of the "Besoins sans réponse" list: what came of it, and a note."""

    label_suffix = ""
    outcome = forms.ChoiceField(
        label=_("Résultat de l'appel"),
        choices=AdvisorCall.Outcome.choices,
        error_messages={"required": _("Choisissez le résultat de l'appel.")},
    )
    note = forms.CharField(
        validators=[validate_text],
        label=_("Note (facultative)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class UnansweredFilterForm(TerritoryFilterForm):
    days = forms.IntegerField(
        label=_("Sans conversation depuis (jours)"), required=False, min_value=0, max_value=365
    )


class CrisisForm(forms.Form):
    """Open a crisis (bourse.moderation.crises.crisis_open checks the territory and dates)."""

    title = forms.CharField(
        label=_("Titre"),
        max_length=120,
        validators=[validate_single_line],
        help_text=_("Affiché en tête de chaque page des entreprises concernées."),
    )
    message = forms.CharField(
        label=_("Message aux entreprises"),
        max_length=2000,
        validators=[validate_text],
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    departements = forms.CharField(
        label=_("Départements"),
        max_length=400,
        help_text=_("Codes séparés par des virgules, par exemple : 69, 42."),
    )
    starts_at = forms.DateTimeField(
        label=_("Début"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Maintenant, ou plus tard : la crise commencera d'elle-même."),
    )
    ends_at = forms.DateTimeField(
        label=_("Fin prévue"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Facultatif : sans date, la crise dure jusqu'à sa clôture."),
    )
    priority_categories = forms.MultipleChoiceField(
        label=_("Catégories prioritaires"),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "crisis-categories"}),
        help_text=_(
            "Les besoins de ces catégories passent en tête des recherches et des suggestions "
            "du territoire. Une famille comprend toutes ses catégories."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        groups = []
        for parent in Category.objects.filter(parent__isnull=True).prefetch_related("children"):
            options = [(parent.slug, _("%(name)s (toute la famille)") % {"name": parent})]
            options += [(child.slug, str(child)) for child in parent.children.all()]
            groups.append((str(parent), options))
        self.fields["priority_categories"].choices = groups

    def clean_departements(self) -> list[str]:
        return re.split(r"[,;\s]+", self.cleaned_data["departements"])
