#!/usr/bin/env python
"""Django's command-line utility; `kembar` (kembar/cli.py) is the same with a shorter name."""

from kembar.cli import main

if __name__ == "__main__":
    main()
