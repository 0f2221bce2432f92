"""System checks of the platform's own settings (`kembar check --deploy`)."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def site_url(app_configs, **kwargs):
    """E-mails (reminders, partner-request notices) link to pages under KEMBAR_SITE_URL: without it
    a recipient gets a path with no host."""
    url = settings.KEMBAR_SITE_URL
    parts = urlsplit(url)
    if not url:
        return [
            Warning(
                "KEMBAR_SITE_URL is not set: links in e-mails have no host.",
                hint="Set it to the address users open, e.g. https://kerjasama.example.go.id",
                id="kembar.W001",
            )
        ]
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.path not in ("", "/"):
        return [
            Warning(
                f"KEMBAR_SITE_URL {url!r} is not a site address (scheme and host, no path).",
                hint="e.g. https://kerjasama.example.go.id",
                id="kembar.W002",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def demo_mode(app_configs, **kwargs):
    """KEMBAR_DEMO only offers the second factor to the roles that must have one (a trial with
    public demo logins); a real installation requires it."""
    if settings.KEMBAR_DEMO:
        return [
            Warning(
                "KEMBAR_DEMO is on: administrators and oversight members may sign in without a second factor.",
                hint="Unset KEMBAR_DEMO outside a trial installation.",
                id="kembar.W003",
            )
        ]
    return []
