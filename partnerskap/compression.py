"""gzip for what compresses: HTML, JSON, CSV, SVG and other text. Spreadsheets and PDFs are
already compressed (xlsx is a zip), and static files are served precompressed by WhiteNoise,
which answers before this middleware is reached.

BREACH: a compressed response that reflects attacker-chosen text next to a secret leaks the
secret through its length. Django masks the CSRF token anew in every response and, since 4.2,
GZipMiddleware pads each response with up to 100 random bytes ("Heal The Breach"); the session
cookie is SameSite=Lax, so a cross-site page cannot make the many authenticated requests the
attack needs. README «Running in production» has the tradeoff.
"""

from django.middleware.gzip import GZipMiddleware

TEXT_TYPES = frozenset(
    {
        "application/json",
        "application/javascript",
        "application/xml",
        "application/vnd.oai.openapi",
        "image/svg+xml",
    }
)


def is_text(content_type: str) -> bool:
    media_type = content_type.split(";", 1)[0].strip().lower()
    return (
        media_type.startswith("text/")
        or media_type in TEXT_TYPES
        or media_type.endswith(("+json", "+xml"))
    )


class TextGZipMiddleware(GZipMiddleware):
    def process_response(self, request, response):
        if not is_text(response.get("Content-Type", "")):
            return response
        return super().process_response(request, response)
