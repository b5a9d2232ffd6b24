"""Build the WTForms form for any step from its declaration."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    Field,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectMultipleField,
    StringField,
    TextAreaField,
    ValidationError,
    widgets,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional

from portal.clock import today_local
from portal.contact import Contact, normalise
from portal.flows.model import SINGLE_KINDS, Kind, Step, say
from portal.i18n import locale_code
from portal.safety.boundary import Screened, screen
from portal.types import Voice
from portal.views import visit

# UK numbers after spaces, dashes and brackets are taken out. A full library (phonenumbers) is
# more than we need to check one field: mobiles are 07 + 9 digits, other numbers 01/02/03/08
# + 8 or 9 digits, either with +44 or 0044 in place of the first 0.
UK_MOBILE = re.compile(r"^(?:\+44|0044|0)7\d{9}$")
UK_PHONE = re.compile(r"^(?:\+44|0044|0)[12378]\d{8,9}$")

DEFAULT_ERRORS = {
    "required": _l("Answer this question to carry on."),
    "too_long": _l("That is too long. Make it shorter than %(max)s letters."),
    "format": _l("Check what you wrote and try again."),
    "date": _l("Write a real date, like 27 3 2025."),
    "future": _l("The date must be today or before."),
}


def _message(step: Step, code: str, voice: Voice) -> Any:
    return say(step.errors.get(code, DEFAULT_ERRORS[code]), voice)


class _PlainChoiceErrors:
    """Answer a made-up choice value with the step's own plain message, not WTForms' default."""

    def __init__(self, *args: Any, invalid_message: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.invalid_message = invalid_message

    def pre_validate(self, form: FlaskForm) -> None:
        try:
            super().pre_validate(form)
        except ValidationError as error:
            raise ValidationError(self.invalid_message) from error


class ChoiceField(_PlainChoiceErrors, RadioField):
    pass


class MultiCheckboxField(_PlainChoiceErrors, SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class DayField(DateField):
    """A date field whose parse error is in plain words."""

    def __init__(self, *args: Any, invalid_message: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.invalid_message = invalid_message

    def process_formdata(self, valuelist: list[str]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(self.invalid_message) from error


class _Screening:
    """A text field whose words are cleaned and screened as they arrive (the one boundary)."""

    screened = Screened("")

    def process_formdata(self, valuelist: list[Any]) -> None:
        super().process_formdata(valuelist)
        self.screened = screen(self.data)
        self.data = self.screened.text


class FreeTextField(_Screening, StringField):
    """A one-line answer in the person's own words."""


class FreeTextAreaField(_Screening, TextAreaField):
    """A longer answer in the person's own words."""


class SecretWordField(_Screening, PasswordField):
    """A secret word: typed like any words (so screened too), kept only as a slow hash."""


class ContactField(_Screening, StringField):
    """An email address or a UK mobile number, read into one form (`contact`), else an error.

    Screened like any words. The email keyboard (with @ and .) and email autofill fit the
    harder of the two to type; digits are one key away.
    """

    def __init__(self, *args: Any, invalid_message: Any, **kwargs: Any) -> None:
        render_kw = {
            "autocomplete": "email",
            "inputmode": "email",
            "spellcheck": "false",
            "autocapitalize": "none",
            **(kwargs.pop("render_kw", None) or {}),
        }
        super().__init__(*args, render_kw=render_kw, **kwargs)
        self.invalid_message = invalid_message
        self.contact: Contact | None = None

    def pre_validate(self, form: FlaskForm) -> None:
        self.contact = normalise(self.data)

    def post_validate(self, form: FlaskForm, validation_stopped: bool) -> None:
        if not validation_stopped and self.contact is None:
            raise ValidationError(self.invalid_message)


SCREENED_FIELDS = (FreeTextField, FreeTextAreaField, SecretWordField, ContactField)


class PublicForm(FlaskForm):
    """Every public form: CSRF (CSRFProtect checks every POST; a step's form leaves it to that
    check), and words about harm noticed wherever they are typed.

    Risks are reported even when another field is wrong, so a child's words are never missed
    because of a typo in a phone number.
    """

    @property
    def risks(self) -> tuple[str, ...]:
        found: set[str] = set()
        for field in self:
            if isinstance(field, _Screening):
                found.update(field.screened.risks)
        return tuple(sorted(found))

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        if self.risks:
            visit.report_risks(self.risks)
        return valid


def phone_check(pattern: re.Pattern | None, message: Any):
    """Check a UK phone number (any UK number when no pattern is given)."""
    pattern = pattern or UK_PHONE

    def check(_form: FlaskForm, field: Field) -> None:
        digits = re.sub(r"[\s\-()]", "", field.data or "")
        if digits and not pattern.match(digits):
            raise ValidationError(message)

    return check


def _not_future(message: Any):
    def check(_form: FlaskForm, field: Field) -> None:
        if field.data and field.data > today_local():
            raise ValidationError(message)

    return check


def _text_validators(step: Step, voice: Voice) -> list:
    # DataRequired looks at the cleaned text, so an answer of only markup or spaces is empty.
    checks: list = (
        [DataRequired(_message(step, "required", voice))] if step.required else [Optional()]
    )
    if step.max_length:
        checks.append(
            Length(
                max=step.max_length,
                message=say(DEFAULT_ERRORS["too_long"], voice) % {"max": step.max_length},
            )
        )
    if step.check == "email":
        checks.append(Email(_message(step, "format", voice)))
    elif step.check == "uk_mobile":
        checks.append(phone_check(UK_MOBILE, _message(step, "format", voice)))
    elif step.check == "uk_phone":
        checks.append(phone_check(UK_PHONE, _message(step, "format", voice)))
    return checks


def _field_for(step: Step, state: Any) -> Field:
    voice = state.voice
    label = say(step.prompt, voice)
    required = [InputRequired(_message(step, "required", voice))]
    choices = [SelectChoice(c.value, say(c.label, voice)) for c in step.choices_for(state)]
    invalid = _message(step, "required", voice)
    if step.kind in SINGLE_KINDS:
        return ChoiceField(label, choices=choices, validators=required, invalid_message=invalid)
    if step.kind == Kind.MULTI:
        return MultiCheckboxField(
            label,
            choices=choices,
            invalid_message=invalid,
            validators=required if step.required else [Optional()],
        )
    if step.kind == Kind.DATE:
        return DayField(
            label,
            format="%Y-%m-%d",
            invalid_message=_message(step, "date", voice),
            validators=[*required, _not_future(_message(step, "future", voice))],
        )
    field_class = FreeTextAreaField if step.kind == Kind.LONG_TEXT else FreeTextField
    return field_class(label, validators=_text_validators(step, voice))


# Each step's form class, by language, voice and the choices offered (all the field is made
# from): a class holds no answer, and making one costs more than filling it in. Cleared when full.
_FORM_CLASSES: dict[tuple, tuple[Step, type[FlaskForm]]] = {}
FORM_CLASSES_KEPT = 4096


def _form_class(step: Step, state: Any) -> type[FlaskForm]:
    offered = tuple(c.value for c in step.choices_for(state)) if step.choices else ()
    key = (id(step), step.id, locale_code(), state.voice, offered)
    found = _FORM_CLASSES.get(key)
    if found is None or found[0] is not step:

        class StepForm(PublicForm):
            class Meta:
                # CSRFProtect checks every POST's token before any view runs, and the page
                # writes the token itself (chat/step.html): a second check here would only
                # sign a fresh token on every answer, for nobody to read.
                csrf = False

        StepForm.answer = _field_for(step, state)
        if len(_FORM_CLASSES) >= FORM_CLASSES_KEPT:
            _FORM_CLASSES.clear()
        found = _FORM_CLASSES[key] = (step, StepForm)
    return found[1]


def form_for(step: Step, state: Any, formdata: Any = None, answer: Any = None) -> FlaskForm:
    """Return a form with one field, `answer`, for this step (CSRFProtect checks the token)."""
    StepForm = _form_class(step, state)  # noqa: N806 - a class
    if formdata is not None:
        return StepForm(formdata=formdata)
    data = {"answer": date.fromisoformat(answer) if step.kind == Kind.DATE and answer else answer}
    return StepForm(formdata=None, data=data)


def stored_value(step: Step, form: FlaskForm) -> Any:
    """Turn a valid form into the value kept in the draft (JSON-friendly)."""
    data = form.answer.data
    if step.kind == Kind.DATE:
        return data.isoformat()
    if step.kind == Kind.MULTI:
        chosen = set(data or [])
        return [c.value for c in step.choices if c.value in chosen]
    if step.check in ("uk_mobile", "uk_phone") and data:
        return " ".join(data.split())
    return data if data is not None else ""
