from django.conf import settings
from django.utils import translation


class NorwegianFirstLocaleMiddleware:
    """Bokmål unless the user has chosen another language with the language switch.

    Django's LocaleMiddleware would follow the browser's Accept-Language, which shows English
    to most Norwegian users on English-language operating systems. The portal is Norwegian first.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch = response.get("Vary", "")
        if "Cookie" not in patch:
            response["Vary"] = f"{patch}, Cookie" if patch else "Cookie"
        return response
