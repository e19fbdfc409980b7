"""Text a user may type: no control characters.

A control character (U+0001 … U+001F but tab, line feed and carriage return; U+007F … U+009F)
is invisible, means nothing in a name or a description, and makes an Excel export that
Excel will not open (XML cannot hold it). A NUL cannot even be stored by PostgreSQL. Lone
surrogates (half of a UTF-16 pair, which JSON can spell as "\\ud800") and U+FFFE/U+FFFF cannot
be written as UTF-8 or XML. They are refused where text comes in: by the models' fields (so
every path that validates is covered), the forms and the API serializers; a NUL in a query
string or a form is refused even earlier by partnerskap.middleware.BadInputMiddleware.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

FORBIDDEN_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def first_forbidden_character(value: str) -> str | None:
    """The first character of `value` that text may not hold, as "U+0001"; None if none."""
    match = FORBIDDEN_CHARACTERS.search(value)
    return f"U+{ord(match.group()):04X}" if match else None


@deconstructible
class ControlCharacterValidator:
    """Refuses text holding a control character (other than tab and line breaks), a lone
    surrogate or U+FFFE/U+FFFF, naming the character."""

    message = _(
        "The text contains an invisible control character (%(character)s) that cannot be "
        "saved. Remove it, for example by typing the text again."
    )
    code = "control_character"

    def __call__(self, value) -> None:
        if not isinstance(value, str):
            return
        character = first_forbidden_character(value)
        if character:
            raise ValidationError(self.message, code=self.code, params={"character": character})

    def __eq__(self, other) -> bool:
        return isinstance(other, ControlCharacterValidator)

    def __hash__(self) -> int:
        return hash(self.code)


no_control_characters = ControlCharacterValidator()


def refuse_control_characters(instance, *field_names: str) -> None:
    """For a model's clean(): a ValidationError keyed by each named field that holds a
    forbidden character."""
    errors: dict[str, list[ValidationError]] = {}
    for name in field_names:
        try:
            no_control_characters(getattr(instance, name))
        except ValidationError as exc:
            errors[name] = [exc]
    if errors:
        raise ValidationError(errors)
