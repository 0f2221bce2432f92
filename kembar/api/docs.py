"""Interactive API documentation served entirely from this site.

ninja's Swagger page takes its script and stylesheet from a CDN unless "ninja" is an
installed app; the platform loads nothing from third-party servers (officers work behind
government proxies, and a CDN sees every visit), so the page is rendered from our own
template and the Swagger UI files that ship inside the ninja package are served from here.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import ninja
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe
from ninja.openapi.docs import DocsBase

ASSET_DIR = Path(ninja.__file__).resolve().parent / "static" / "ninja"
ASSETS = {
    "swagger-ui.css": "text/css",
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui-init.js": "text/javascript",
    "favicon.svg": "image/svg+xml",
    "favicon.png": "image/png",
}


class LocalSwagger(DocsBase):
    template = "api/docs.html"

    def __init__(self, settings: dict[str, Any] | None = None):
        self.settings = {"layout": "BaseLayout", "deepLinking": True, **(settings or {})}

    def render_page(self, request: HttpRequest, api, **kwargs: Any) -> HttpResponse:
        namespace = api.urls_namespace
        context = {
            "api": api,
            "swagger_settings": json.dumps({**self.settings, "url": self.get_openapi_url(api, kwargs)}),
            "openapi_url": self.get_openapi_url(api, kwargs),
            "asset": {
                name.replace(".", "_").replace("-", "_"): reverse(f"{namespace}:docs-asset", args=[name])
                for name in ASSETS
            },
        }
        return render(request, self.template, context)


@require_safe
@cache_control(max_age=86400, public=True)
def asset(request: HttpRequest, name: str) -> FileResponse:
    if name not in ASSETS:
        raise Http404(name)
    return FileResponse((ASSET_DIR / name).open("rb"), content_type=ASSETS[name])


def asset_urls() -> list:
    return [path("docs/assets/<str:name>", asset, name="docs-asset")]
