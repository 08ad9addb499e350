"""The service error and its two translations: the API's 400 and the form's field errors."""

import pytest
from django import forms
from django.core.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from bourse.core.errors import ServiceError, add_service_error, api_errors, messages_of


def test_field_message_and_code():
    exc = ServiceError("SIRET déjà inscrit.", field="siret", code="duplicate")
    assert exc.message_dict == {"siret": ["SIRET déjà inscrit."]}
    assert api_errors(exc) == {"siret": ["SIRET déjà inscrit."]}
    assert api_errors(exc)["siret"][0].code == "duplicate"


def test_dict_of_fields():
    exc = ServiceError({"postal_code": ["Inconnu."], "siret": "Mauvais."})
    assert api_errors(exc) == {"postal_code": ["Inconnu."], "siret": ["Mauvais."]}


def test_message_without_field_is_non_field_errors():
    assert api_errors(ServiceError("Plus en attente.")) == {
        "non_field_errors": ["Plus en attente."]
    }
    assert api_errors(ValidationError({"__all__": ["Deux."]})) == {"non_field_errors": ["Deux."]}


def test_params_are_interpolated():
    exc = ServiceError("Au plus %(n)s.", field="body", params={"n": 3})
    assert api_errors(exc) == {"body": ["Au plus 3."]}
    assert messages_of(exc) == ["Au plus 3."]


def test_is_a_django_validation_error():
    with pytest.raises(ValidationError):
        raise ServiceError("Non.", field="name")


def test_field_with_dict_is_a_programming_error():
    with pytest.raises(TypeError):
        ServiceError({"a": ["b"]}, field="c")


class _Form(forms.Form):
    name = forms.CharField()


def test_form_helper_puts_errors_on_fields_or_on_the_form():
    form = _Form({"name": "x"})
    assert form.is_valid()
    add_service_error(
        form, ServiceError({"name": ["Pris."], "siret": ["Inconnu."], "non_field_errors": ["Non."]})
    )
    assert form.errors["name"] == ["Pris."]
    assert form.non_field_errors() == ["Inconnu.", "Non."]


def test_form_helper_takes_a_message_without_field():
    form = _Form({"name": "x"})
    form.is_valid()
    add_service_error(form, ServiceError("Refusé."))
    assert form.non_field_errors() == ["Refusé."]


class _Refusing(APIView):
    authentication_classes = []
    permission_classes = []

    def post(self, request):
        if request.data.get("field"):
            raise ServiceError("Refusé.", field=request.data["field"], code="refused")
        if request.data.get("plain"):
            raise ValidationError("Modèle invalide.")
        return Response({"ok": True})


def test_api_handler_answers_400_with_the_field():
    factory = APIRequestFactory()
    view = _Refusing.as_view()
    response = view(factory.post("/refuse/", {"field": "title"}, format="json"))
    assert response.status_code == 400
    assert response.data == {"title": ["Refusé."]}
    assert response.data["title"][0].code == "refused"
    response = view(factory.post("/refuse/", {"plain": True}, format="json"))
    assert response.status_code == 400
    assert response.data == {"non_field_errors": ["Modèle invalide."]}
    assert view(factory.post("/refuse/", {}, format="json")).status_code == 200


class _Forbidden(ServiceError):
    http_status = 403


class _Limited(ServiceError):
    http_status = 429


class _RefusingWithStatus(APIView):
    authentication_classes = []
    permission_classes = []

    def post(self, request):
        raise {"403": _Forbidden, "429": _Limited}[request.data["status"]]("Pas maintenant.")


@pytest.mark.parametrize("status", [403, 429])
def test_a_refusal_found_by_the_write_itself_keeps_its_status(status):
    request = APIRequestFactory().post("/", {"status": str(status)}, format="json")
    response = _RefusingWithStatus.as_view()(request)
    assert response.status_code == status
    assert response.data == {"detail": "Pas maintenant."}
