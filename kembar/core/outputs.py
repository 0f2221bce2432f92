"""Files a command writes (`kembar report`, `kembar agreement-template`): refused with a clear
error before any work when the place cannot take them, and written whole or not at all."""

from __future__ import annotations

import os

from django.core.management.base import CommandError
from django.utils.translation import gettext as _


def check_output(output: str) -> None:
    """Refuse an output path whose folder is missing, that is a folder, or that is not writable."""
    directory = os.path.dirname(os.path.abspath(output))
    if not os.path.isdir(directory):
        raise CommandError(
            _("Cannot write %(file)s: the folder %(folder)s does not exist.") % {"file": output, "folder": directory}
        )
    if os.path.isdir(output):
        raise CommandError(_("Cannot write %(file)s: it is a folder.") % {"file": output})
    if (os.path.exists(output) and not os.access(output, os.W_OK)) or not os.access(directory, os.W_OK):
        raise CommandError(_("Cannot write %(file)s: permission denied.") % {"file": output})


def write_output(output: str, content: bytes) -> None:
    """Write `content` to `output` through a temporary file renamed into place, so a failure
    leaves nothing half-written."""
    temporary = f"{output}.part"
    try:
        with open(temporary, "wb") as handle:
            handle.write(content)
        os.replace(temporary, output)
    except OSError as error:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise CommandError(
            _("Cannot write %(file)s: %(reason)s.") % {"file": output, "reason": error.strerror}
        ) from None
