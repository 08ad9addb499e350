"""The single-line check: what a title or a name refuses, in French, and what it lets through."""

import pytest
from django import forms
from django.core.exceptions import ValidationError
from rest_framework import serializers

from bourse.core.text import validate_single_line, validate_text


@pytest.mark.parametrize(
    "value",
    [
        "Chariot élévateur",
        "Café « Chez Zoé » — 3ᵉ étage",
        "Ä\u0308 Ñ",  # combining marks after a letter
        "مطبعة",  # right-to-left script itself is fine
        "Nom\u200dcomposé",  # a joiner inside visible text
        "",
    ],
)
def test_accepts_ordinary_text(value):
    validate_single_line(value)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("Titre\r\nBcc: x@y.fr", "control_character"),
        ("Titre\nsuite", "control_character"),
        ("Ti\x00tre", "control_character"),
        ("Ti\ttre", "control_character"),
        ("Ti\x7ftre", "control_character"),
        ("Ti\x85tre", "control_character"),
        ("Ti\u2028tre", "control_character"),
        ("Facture \u202egnp.exe", "bidi_control"),
        ("\u2066Nom\u2069", "bidi_control"),
        ("\u200b\u200b", "invisible"),
        ("\u3164", "invisible"),
        ("\u00a0 \u2003", "invisible"),
        ("\ufeff\u2800", "invisible"),
    ],
)
def test_refuses_with_a_french_message(value, code):
    with pytest.raises(ValidationError) as caught:
        validate_single_line(value)
    assert caught.value.code == code
    assert "refusés" in str(caught.value.message) or "invisibles" in str(caught.value.message)


def test_in_a_form_the_field_is_named():
    class Form(forms.Form):
        title = forms.CharField(validators=[validate_single_line])

    form = Form({"title": "a\u202eb"})
    assert not form.is_valid()
    assert list(form.errors) == ["title"]


def test_in_a_serializer_the_field_is_named():
    class Serializer(serializers.Serializer):
        title = serializers.CharField(validators=[validate_single_line])

    serializer = Serializer(data={"title": "a\rb"})
    assert not serializer.is_valid()
    assert list(serializer.errors) == ["title"]
    assert serializer.errors["title"][0].code == "control_character"


def test_multi_line_text_keeps_line_breaks_and_tabs():
    validate_text("Bonjour,\r\n\tvoici le motif.\nMerci.")


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("Motif\x00", "control_character"),
        ("Motif\x1b[31m", "control_character"),
        ("Motif \u202e", "bidi_control"),
        ("\n\u200b\n", "invisible"),
    ],
)
def test_multi_line_text_refuses_the_rest(value, code):
    with pytest.raises(ValidationError) as caught:
        validate_text(value)
    assert caught.value.code == code
