"""The saved-search form: what the search page posts ("Enregistrer cette recherche") and what the
saved searches page shows. Field names are the search's query parameters (q, kind, category as a
slug, near as a postal code, radius_km), so a search's GET parameters can be posted as they are.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from bourse.core.text import validate_single_line
from bourse.geo import data as geo
from bourse.listings.models import Category, Kind


def _order(category: Category) -> tuple:
    return (category.position, category.name)


class SavedSearchForm(forms.Form):
    name = forms.CharField(
        validators=[validate_single_line],
        label=_("Nom de la recherche"),
        max_length=120,
        required=False,
        help_text=_("Par exemple « Entrepôts autour de Lyon ». Laissé vide, il est déduit."),
    )
    q = forms.CharField(
        validators=[validate_single_line], label=_("Mots-clés"), max_length=200, required=False
    )
    kind = forms.ChoiceField(
        label=_("Type"), choices=[("", _("Offres et besoins")), *Kind.choices], required=False
    )
    category = forms.ChoiceField(label=_("Catégorie"), required=False)
    near = forms.CharField(
        validators=[validate_single_line],
        label=_("Code postal"),
        max_length=5,
        required=False,
        help_text=_("Laissez vide pour toute la France."),
    )
    radius_km = forms.IntegerField(
        label=_("Rayon (km)"), min_value=1, max_value=1000, initial=50, required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        categories = list(Category.objects.all())
        self._categories = {c.slug: c for c in categories}
        parents = sorted((c for c in categories if c.parent_id is None), key=_order)
        choices: list = [("", _("Toutes les catégories"))]
        for parent in parents:
            children = sorted((c for c in categories if c.parent_id == parent.pk), key=_order)
            if not children:
                choices.append((parent.slug, parent.localized_name))
                continue
            everything = _("%(name)s : tout") % {"name": parent.localized_name}
            choices.append(
                (
                    parent.localized_name,
                    [(parent.slug, everything)] + [(c.slug, c.localized_name) for c in children],
                )
            )
        self.fields["category"].choices = choices

    def clean_category(self) -> Category | None:
        slug = self.cleaned_data["category"]
        return self._categories.get(slug) if slug else None

    def clean_near(self) -> str:
        near = self.cleaned_data["near"].strip()
        if near and geo.lookup(near) is None:
            raise forms.ValidationError(
                _("Code postal inconnu : « %(code)s »."), params={"code": near}
            )
        return near

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        if not any(cleaned.get(f) for f in ("q", "kind", "category", "near")):
            raise forms.ValidationError(
                _("Indiquez au moins un critère : mots-clés, type, catégorie ou lieu.")
            )
        if not cleaned.get("name"):
            cleaned["name"] = self.default_name(cleaned)
        return cleaned

    @staticmethod
    def default_name(cleaned) -> str:
        parts = []
        if cleaned.get("q"):
            parts.append(cleaned["q"])
        if cleaned.get("kind"):
            parts.append(str(Kind(cleaned["kind"]).label))
        if cleaned.get("category"):
            parts.append(cleaned["category"].localized_name)
        if cleaned.get("near"):
            place = geo.lookup(cleaned["near"])
            parts.append(f"{place.commune} ({cleaned.get('radius_km') or 50} km)")
        return " · ".join(parts)[:120]

    def service_kwargs(self) -> dict:
        cleaned = self.cleaned_data
        place = geo.lookup(cleaned["near"]) if cleaned.get("near") else None
        return {
            "name": cleaned["name"],
            "q": cleaned.get("q", ""),
            "kind": cleaned.get("kind", ""),
            "category": cleaned.get("category"),
            "postal_code": cleaned.get("near", ""),
            "latitude": place.latitude if place else None,
            "longitude": place.longitude if place else None,
            "radius_km": cleaned.get("radius_km") or 50,
        }
