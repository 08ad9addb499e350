"""Web forms of the account and company pages. They only check shapes; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from bourse.core.text import validate_single_line, validate_text

from .models import Membership, User
from .phones import normalize_phone


class PersonFields(forms.Form):
    """What a person says of themself: on the sign-up (web and app API), the account page and
    the terms page. The phone comes back normalised (E.164, accounts/phones.py)."""

    first_name = forms.CharField(
        validators=[validate_single_line],
        label=_("Prénom"),
        max_length=150,
        error_messages={"required": _("Indiquez votre prénom.")},
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        validators=[validate_single_line],
        label=_("Nom"),
        max_length=150,
        error_messages={"required": _("Indiquez votre nom.")},
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    job_title = forms.CharField(
        validators=[validate_single_line],
        label=_("Fonction"),
        max_length=150,
        required=False,
        help_text=_("Par exemple : gérante, responsable logistique. Facultatif."),
        widget=forms.TextInput(attrs={"autocomplete": "organization-title"}),
    )
    phone = forms.CharField(
        label=_("Téléphone professionnel"),
        max_length=30,
        required=False,
        help_text=_("Pour que votre CCI puisse vous joindre lors de la vérification. Facultatif."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )

    def clean_phone(self) -> str:
        return normalize_phone(self.cleaned_data["phone"])


class SignupDetailsForm(PersonFields):
    """allauth's sign-up forms (the page's and the app API's) are built on this class
    (ACCOUNT_SIGNUP_FORM_CLASS): names required, phone and job title optional, the terms to
    accept. The adapter stores them (AccountAdapter.save_user)."""

    terms_accepted = forms.BooleanField(
        label=_("J'accepte les conditions d'utilisation et la politique de confidentialité."),
        error_messages={
            "required": _(
                "Acceptez les conditions d'utilisation et la politique de confidentialité pour "
                "créer votre compte."
            )
        },
    )

    field_order = [
        "email",
        "first_name",
        "last_name",
        "job_title",
        "phone",
        "password1",
        "password2",
        "password",
        "terms_accepted",
    ]

    def signup(self, request, user) -> None:
        """allauth's hook after the user is saved: nothing left to do, the adapter saved these
        fields with the user in one statement."""


class TermsForm(forms.Form):
    """The page that asks a person to accept the terms in force; it also asks for their name
    when the account has none (made by an older app client)."""

    accept = forms.BooleanField(
        label=_("J'accepte les conditions d'utilisation et la politique de confidentialité."),
        error_messages={
            "required": _(
                "Acceptez les conditions d'utilisation pour continuer, ou déconnectez-vous."
            )
        },
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if not (user.first_name and user.last_name):
            names = PersonFields()
            self.fields = {
                "first_name": names.fields["first_name"],
                "last_name": names.fields["last_name"],
                **self.fields,
            }


class CompanyForm(forms.Form):
    name = forms.CharField(
        validators=[validate_single_line], label=_("Raison sociale"), max_length=200
    )
    siret = forms.CharField(
        validators=[validate_single_line],
        label=_("SIRET"),
        max_length=20,
        help_text=_(
            "14 chiffres, sur votre extrait Kbis ou sur annuaire-entreprises.data.gouv.fr."
        ),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    naf_code = forms.CharField(
        validators=[validate_single_line],
        label=_("Code NAF (APE)"),
        max_length=6,
        required=False,
        help_text=_("Par exemple 25.62B. Facultatif."),
    )
    address = forms.CharField(
        validators=[validate_single_line],
        label=_("Adresse"),
        max_length=255,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    postal_code = forms.CharField(
        validators=[validate_single_line],
        label=_("Code postal"),
        max_length=10,
        help_text=_("Tapez les premiers chiffres ou le nom de la commune."),
        widget=forms.TextInput(
            attrs={
                "data-postal-autocomplete": "",
                "autocomplete": "off",
                "inputmode": "numeric",
            }
        ),
    )
    phone = forms.CharField(
        validators=[validate_single_line],
        label=_("Téléphone"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    website = forms.URLField(
        label=_("Site web"), required=False, assume_scheme="https", max_length=200
    )
    description = forms.CharField(
        validators=[validate_text],
        label=_("Présentation"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Votre activité en quelques lignes : ce que vous faites, ce que vous pouvez offrir."
        ),
    )


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label=_("Adresse e-mail de votre collègue"),
        widget=forms.EmailInput(
            attrs={"autocomplete": "off", "placeholder": "prenom.nom@entreprise.fr"}
        ),
    )


class ProfileForm(PersonFields):
    """The account page's identity section: the names cannot be emptied (people are named by
    them), phone and job title can."""


class PreferencesForm(forms.ModelForm):
    """The notification preferences of the account page."""

    class Meta:
        model = User
        fields = [
            "match_emails",
            "message_reminders",
            "saved_search_digest",
            "language",
            "moderation_summary",
        ]
        labels = {
            "match_emails": _("Nouvelles suggestions pour mes annonces"),
            "message_reminders": _("M'envoyer un rappel quand un message reste non lu 10 minutes"),
            "saved_search_digest": _("Résumé des annonces de mes recherches enregistrées"),
            "language": _("Langue de mes e-mails et notifications"),
            "moderation_summary": _(
                "M'envoyer chaque matin le résumé de mes files de modération (entreprises, "
                "annonces et signalements en attente)"
            ),
        }
        widgets = {
            "match_emails": forms.RadioSelect,
            "saved_search_digest": forms.RadioSelect,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not hasattr(self.instance, "moderator"):
            # Only a moderator has queues to sum up.
            del self.fields["moderation_summary"]


class DeleteAccountForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Je comprends que mon compte sera supprimé définitivement."),
        error_messages={"required": _("Cochez la case pour confirmer la suppression.")},
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Membership.Role.choices)
