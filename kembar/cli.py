"""The `kembar` console script.

Every Django management command works as `kembar <command>`; dashes and underscores are
interchangeable, so `kembar import-links FILE` runs the `import_links` command.
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kembar.settings")
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
        if argv[1] == "run":
            argv[1:2] = ["runserver", "127.0.0.1:8000"]
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
