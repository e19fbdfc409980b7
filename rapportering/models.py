# Models arrive with the hearing and reporting issues.

# The case papers for the county committee (issue 11) live in their own module.
from .models_saksframlegg import Dokumentspraak, Saksframlegg  # noqa: E402, F401
