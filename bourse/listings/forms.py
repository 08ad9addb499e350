"""Web forms of the listings pages. They parse what people type; services apply the rules."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Company
from bourse.core.text import validate_single_line, validate_text

from .attributes import ATTRIBUTES, names_of
from .models import Category, Kind, Listing, Terms, Unit
from .photos import MAX_PHOTOS, clean_photo
from .services import PRICED_TERMS
from .units import allowed_units

LOCATION_COMPANY = "company"
LOCATION_OTHER = "other"


def category_choices() -> list:
    """Children grouped under their parent (optgroups); a parent without children is itself a
    choice (Autre)."""
    categories = list(Category.objects.all())
    parents = sorted(
        (c for c in categories if c.parent_id is None), key=lambda c: (c.position, c.name)
    )
    choices: list = [("", _("— Choisissez une catégorie —"))]
    for parent in parents:
        children = sorted(
            (c for c in categories if c.parent_id == parent.pk),
            key=lambda c: (c.position, c.name),
        )
        if children:
            choices.append((parent.localized_name, [(c.slug, c.localized_name) for c in children]))
        else:
            choices.append((parent.slug, parent.localized_name))
    return choices


def category_units() -> dict[str, list[str]]:
    """slug → allowed units, for frontend/js/listing-form.js."""
    categories = Category.objects.prefetch_related("children")
    return {c.slug: allowed_units(c) for c in categories}


def category_attributes() -> dict[str, list[str]]:
    """slug → attribute names, for frontend/js/listing-form.js (only those fields show)."""
    return {c.slug: names_of(c) for c in Category.objects.all()}


ATTRIBUTE_PREFIX = "attr_"
FLAG_CHOICES = [("", "—"), ("yes", _("oui")), ("no", _("non"))]


def attribute_fields() -> dict[str, forms.Field]:
    """One form field per stored key of every attribute (bourse.listings.attributes), named
    attr_<key>, marked with its attribute's name (data-attribute) for the page's script."""
    fields: dict[str, forms.Field] = {}
    for name, attribute in ATTRIBUTES.items():
        attrs = {"data-attribute": name}
        for key in attribute.keys:
            label = attribute.label
            if attribute.kind == "range":
                label = (
                    _("Température minimale (°C)")
                    if key == "temp_min"
                    else _("Température maximale (°C)")
                )
                field = forms.DecimalField(
                    min_value=attribute.minimum,
                    max_value=attribute.maximum,
                    decimal_places=1,
                    widget=forms.NumberInput(attrs={**attrs, "step": "0.5"}),
                )
            elif attribute.kind == "number":
                field = forms.DecimalField(
                    min_value=attribute.minimum,
                    max_value=attribute.maximum,
                    decimal_places=2,
                    widget=forms.NumberInput(attrs={**attrs, "step": "any"}),
                )
            elif attribute.kind == "choices":
                field = forms.MultipleChoiceField(
                    choices=[(c, c) for c in attribute.choices],
                    widget=forms.CheckboxSelectMultiple(attrs=attrs),
                )
            elif attribute.kind == "flag":
                field = forms.ChoiceField(choices=FLAG_CHOICES, widget=forms.Select(attrs=attrs))
            else:
                field = forms.CharField(
                    max_length=40,
                    validators=[validate_single_line],
                    widget=forms.TextInput(attrs=attrs),
                )
            field.required = False
            field.label = label
            field.help_text = attribute.help if key != "temp_max" else ""
            field.attribute_name = name
            fields[ATTRIBUTE_PREFIX + key] = field
    return fields


def _attribute_initial(values: dict | None) -> dict:
    initial = {}
    for key, value in (values or {}).items():
        if isinstance(value, bool):
            value = "yes" if value else "no"
        elif isinstance(value, float):
            value = _plain(Decimal(str(value)))
        initial[ATTRIBUTE_PREFIX + key] = value
    return initial


def _plain(value: Decimal | None) -> Decimal | None:
    """18.00 → 18 in the form (12.50 stays 12.50)."""
    if value is not None and value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value


PHOTO_ACCEPT = "image/jpeg,image/png,image/webp"
PHOTO_POSITION = "photo_position_"
PHOTO_REMOVE = "photo_remove_"


class MultiplePhotoInput(forms.FileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos at once, each checked by its content (photos.clean_photo): the cleaned
    value is the list of `CleanPhoto`, in the order the files came."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", MultiplePhotoInput(attrs={"accept": PHOTO_ACCEPT}))
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        uploads = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        cleaned, errors = [], []
        for upload in uploads:
            try:
                cleaned.append(clean_photo(super().clean(upload, initial)))
            except forms.ValidationError as exc:
                for message in exc.messages:
                    errors.append(
                        _("« %(name)s » : %(message)s") % {"name": upload.name, "message": message}
                    )
        if errors:
            raise forms.ValidationError(errors)
        return cleaned


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class ListingForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Vous publiez"),
        choices=[(Kind.OFFER, _("une offre (ce que vous proposez)")), (Kind.NEED, _("un besoin"))],
        widget=forms.RadioSelect,
        initial=Kind.OFFER,
    )
    title = forms.CharField(
        validators=[validate_single_line],
        label=_("Titre"),
        max_length=120,
        widget=forms.TextInput(attrs={"placeholder": _("Ex. : Entrepôt sec 400 m² à Vénissieux")}),
    )
    description = forms.CharField(
        validators=[validate_text],
        label=_("Description"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Ce qui est proposé ou recherché, l'état, les conditions d'accès..."),
    )
    category = forms.ChoiceField(label=_("Catégorie"))
    quantity = forms.DecimalField(
        label=_("Quantité"), required=False, max_digits=12, decimal_places=2, min_value=0
    )
    unit = forms.ChoiceField(label=_("Unité"), required=False, choices=[("", "—"), *Unit.choices])
    terms = forms.ChoiceField(label=_("Conditions"), choices=Terms.choices)
    price = forms.DecimalField(
        label=_("Prix (€ HT)"), required=False, max_digits=12, decimal_places=2, min_value=0
    )
    available_from = forms.DateField(
        label=_("Disponible à partir du"), required=False, widget=DateInput()
    )
    available_until = forms.DateField(label=_("Jusqu'au"), required=False, widget=DateInput())
    location = forms.ChoiceField(
        label=_("Lieu"),
        choices=[
            (LOCATION_COMPANY, _("à l'adresse de l'entreprise")),
            (LOCATION_OTHER, _("à un autre code postal")),
        ],
        widget=forms.RadioSelect,
        initial=LOCATION_COMPANY,
    )
    postal_code = forms.CharField(
        validators=[validate_single_line],
        label=_("Code postal"),
        required=False,
        max_length=5,
        widget=forms.TextInput(
            attrs={
                "data-postal-autocomplete": "",
                "inputmode": "numeric",
                "autocomplete": "off",
                "placeholder": "69200",
            }
        ),
    )
    radius_km = forms.IntegerField(
        label=_("Rayon couvert (km)"),
        min_value=1,
        max_value=1000,
        initial=50,
        help_text=_("Jusqu'où vous pouvez livrer, venir chercher ou vous déplacer."),
    )

    photos = PhotosField(
        label=_("Ajouter des photos"),
        required=False,
        help_text=_(
            "JPEG, PNG ou WebP, 10 Mo et 40 mégapixels au plus chacune, 6 photos par annonce. "
            "La première est celle que montrent les listes d'annonces."
        ),
    )

    def __init__(self, *args, company: Company, photos=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.company = company
        self.fields["category"].choices = category_choices()
        self.fields.update(attribute_fields())
        # The listing's photos: a position and a box to remove each (the page's script turns
        # them into buttons and dragging).
        self.existing_photos = list(photos)
        for number, photo in enumerate(self.existing_photos, start=1):
            self.fields[f"{PHOTO_POSITION}{photo.pk}"] = forms.IntegerField(
                label=_("Position de la photo %(n)d") % {"n": number},
                required=False,
                min_value=1,
                max_value=MAX_PHOTOS,
                initial=number,
                widget=forms.NumberInput(attrs={"data-photo-position": ""}),
            )
            self.fields[f"{PHOTO_REMOVE}{photo.pk}"] = forms.BooleanField(
                label=_("Retirer la photo %(n)d") % {"n": number},
                required=False,
                widget=forms.CheckboxInput(attrs={"data-photo-remove": ""}),
            )
        self.fields["location"].choices = [
            (
                LOCATION_COMPANY,
                _("à l'adresse de l'entreprise (%(code)s %(commune)s)")
                % {"code": company.postal_code, "commune": company.commune},
            ),
            (LOCATION_OTHER, _("à un autre code postal")),
        ]

    @classmethod
    def initial_for(cls, listing: Listing) -> dict:
        same_place = listing.postal_code == listing.company.postal_code
        return {
            "kind": listing.kind,
            "title": listing.title,
            "description": listing.description,
            "category": listing.category.slug,
            "quantity": _plain(listing.quantity),
            "unit": listing.unit,
            "terms": listing.terms,
            "price": _plain(listing.price),
            "available_from": listing.available_from,
            "available_until": listing.available_until,
            "location": LOCATION_COMPANY if same_place else LOCATION_OTHER,
            "postal_code": "" if same_place else listing.postal_code,
            "radius_km": listing.radius_km,
            **_attribute_initial(listing.attributes),
        }

    def attribute_boundfields(self) -> list:
        """The attribute fields, in the registry's order (the page shows those of the chosen
        category)."""
        return [self[name] for name in self.fields if name.startswith(ATTRIBUTE_PREFIX)]

    def photo_rows(self) -> list[dict]:
        """The listing's photos with their position and removal fields, for the page."""
        return [
            {
                "photo": photo,
                "number": number,
                "position": self[f"{PHOTO_POSITION}{photo.pk}"],
                "remove": self[f"{PHOTO_REMOVE}{photo.pk}"],
            }
            for number, photo in enumerate(self.existing_photos, start=1)
        ]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("location") == LOCATION_OTHER and not cleaned.get("postal_code"):
            self.add_error("postal_code", _("Indiquez le code postal du lieu."))
        new_photos = cleaned.get("photos") or []
        total = len(self.kept_photo_ids()) + len(new_photos)
        if total > MAX_PHOTOS:
            self.add_error(
                "photos",
                _("Une annonce a au plus %(max)d photos : retirez-en %(extra)d.")
                % {"max": MAX_PHOTOS, "extra": total - MAX_PHOTOS},
            )
        elif new_photos and self.errors:
            # A browser never sends a file again: say so rather than lose them silently.
            self.add_error(
                "photos",
                _("Vos photos n'ont pas été enregistrées : choisissez-les à nouveau."),
            )
        return cleaned

    def kept_photo_ids(self) -> list[int]:
        """The listing's photos not removed, by the positions given (then their order)."""
        data = getattr(self, "cleaned_data", {})
        kept = [
            (data.get(f"{PHOTO_POSITION}{photo.pk}") or number, number, photo.pk)
            for number, photo in enumerate(self.existing_photos, start=1)
            if not data.get(f"{PHOTO_REMOVE}{photo.pk}")
        ]
        return [pk for _position, _number, pk in sorted(kept)]

    def photo_changes(self) -> dict:
        """The photos part of the form, as services.listing_photos_change expects it."""
        return {"keep": self.kept_photo_ids(), "add": self.cleaned_data.get("photos") or []}

    def has_photo_changes(self) -> bool:
        changes = self.photo_changes()
        return bool(changes["add"]) or changes["keep"] != [p.pk for p in self.existing_photos]

    def service_data(self) -> dict:
        """The cleaned values in the shape services expect (photos aside: photo_changes)."""
        data = {
            key: value
            for key, value in self.cleaned_data.items()
            if not key.startswith((ATTRIBUTE_PREFIX, PHOTO_POSITION, PHOTO_REMOVE))
            and key != "photos"
        }
        data["category"] = Category.objects.get(slug=data["category"])
        data["attributes"] = self._attributes(names_of(data["category"]))
        if data.pop("location") == LOCATION_COMPANY:
            data["postal_code"] = ""
        if data.get("terms") not in PRICED_TERMS:
            data["price"] = None
        if not data.get("quantity"):
            data["quantity"] = None
            data["unit"] = ""
        return data

    def _attributes(self, names: list[str]) -> dict:
        """The attributes the chosen category asks for, as services expect them."""
        values = {}
        for name in names:
            for key in ATTRIBUTES[name].keys:
                value = self.cleaned_data.get(ATTRIBUTE_PREFIX + key)
                if value in (None, "", []):
                    continue
                if ATTRIBUTES[name].kind == "flag":
                    value = value == "yes"
                elif isinstance(value, Decimal):
                    value = float(value)
                values[key] = value
        return values


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Issue"),
        choices=[
            (Listing.Status.FULFILLED, _("Réalisée : l'échange a eu lieu")),
            (Listing.Status.WITHDRAWN, _("Retirée : l'annonce n'est plus d'actualité")),
        ],
        widget=forms.RadioSelect,
        initial=Listing.Status.FULFILLED,
    )
    partner_company = forms.ModelChoiceField(
        label=_("Entreprise partenaire (facultatif)"),
        queryset=Company.objects.none(),
        required=False,
        empty_label=_("— Je ne précise pas —"),
    )

    def __init__(self, *args, listing: Listing, **kwargs):
        super().__init__(*args, **kwargs)
        self.can_fulfil = listing.can("fulfil")
        if not self.can_fulfil:
            # A listing never published (draft, pending, rejected) can only be withdrawn.
            outcome = self.fields["outcome"]
            outcome.choices = [c for c in outcome.choices if c[0] == Listing.Status.WITHDRAWN]
            outcome.initial = Listing.Status.WITHDRAWN
            del self.fields["partner_company"]
            return
        # Only the companies that wrote about this listing: the whole register would be long
        # and would list every company to anyone closing a listing. (`conversations` is the
        # reverse relation messaging declares: listings may not import messaging, above it.)
        self.fields["partner_company"].queryset = (
            Company.objects.exclude(pk=listing.company_id)
            .filter(pk__in=listing.conversations.values("other_company"))
            .order_by("name")
        )
        self.fields["partner_company"].help_text = _(
            "Parmi les entreprises qui vous ont écrit au sujet de cette annonce."
        )
