"""The sign-up and login pages' forms: allauth's, with our fields (accounts.forms.SignupDetailsForm,
the base allauth builds the sign-up on) and the French labels a professional service uses
(allauth's own French says "Courriel :").

A module of its own: allauth.account.forms imports accounts.forms (its base class), so
subclasses of allauth's forms cannot live there."""

from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.forms import SignupForm as AllauthSignupForm
from django.utils.translation import gettext_lazy as _


class SignupForm(AllauthSignupForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        email = self.fields["email"]
        email.label = _("Adresse e-mail professionnelle")
        email.help_text = _(
            "Celle de votre entreprise : vous y recevrez un code pour la confirmer."
        )
        email.widget.attrs.update(
            {"autocomplete": "email", "placeholder": "prenom.nom@entreprise.fr"}
        )
        email.error_messages["required"] = _("Indiquez votre adresse e-mail.")
        email.error_messages["invalid"] = _(
            "Saisissez une adresse e-mail valide, par exemple prenom.nom@entreprise.fr."
        )
        password = self.fields["password1"]
        password.label = _("Mot de passe")
        # allauth's help text is an HTML list of every validator; one plain sentence instead.
        password.help_text = _(
            "Au moins 8 caractères, pas uniquement des chiffres, ni un mot de passe courant."
        )
        password.error_messages["required"] = _("Choisissez un mot de passe.")
        again = self.fields["password2"]
        again.label = _("Confirmez le mot de passe")
        again.error_messages["required"] = _("Saisissez le mot de passe une seconde fois.")


class LoginForm(AllauthLoginForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        login = self.fields["login"]
        login.label = _("Adresse e-mail")
        login.help_text = _("Celle avec laquelle vous avez créé votre compte.")
        login.widget.attrs.update({"autocomplete": "email", "placeholder": ""})
        login.error_messages["required"] = _("Indiquez votre adresse e-mail.")
        password = self.fields["password"]
        password.label = _("Mot de passe")
        password.help_text = ""  # allauth's is an HTML link: the page has its own
        password.widget.attrs["placeholder"] = ""
        password.error_messages["required"] = _("Indiquez votre mot de passe.")
        if "remember" in self.fields:
            self.fields["remember"].label = _("Rester connecté sur cet appareil")
