"""Start the dashboard's web server (``gemsim dashboard``).

The page is served by Solara (``solara run gemsim.app``) in production mode. Its
JavaScript, styles and fonts come from installed packages (``solara-assets``, the widget
packages), never from the internet.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys

from gemsim.errors import UserError

__all__ = ["DEFAULT_HOST", "DEFAULT_PORT", "serve", "server_command"]

DEFAULT_HOST = "localhost"
DEFAULT_PORT = 8765
APP_MODULE = "gemsim.app"
#: Packages the page needs at run time (installed by the ``viz`` extra).
NEEDED = ("solara", "solara_assets", "ipyvuetify")


class MissingVizError(UserError, ImportError):
    """The ``viz`` extra is not installed."""


def check_installed() -> None:
    """Raise MissingVizError naming what is missing and the command that installs it."""
    missing = [name for name in NEEDED if importlib.util.find_spec(name) is None]
    if missing:
        raise MissingVizError(
            f"the dashboard needs {', '.join(missing)}; install the visualisation extra: "
            "pip install 'gemsim[viz]'"
        )


def server_command(host: str, port: int, open_browser: bool = False) -> list[str]:
    """The ``solara run`` command line that serves the page."""
    return [
        sys.executable,
        "-m",
        "solara",
        "run",
        APP_MODULE,
        "--host",
        host,
        "--port",
        str(port),
        "--production",
        "--open" if open_browser else "--no-open",
        "--no-check-version",  # would ask the package index for a newer Solara
        "--log-level",
        "warning",
    ]


def server_environment() -> dict[str, str]:
    """This environment, with Solara's usage statistics (sent to a web service) off."""
    return {**os.environ, "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False"}


def serve(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, open_browser: bool = False) -> int:
    """Serve the page until Ctrl-C; return the server's exit code."""
    check_installed()
    print(
        f"gemsim dashboard: open http://{host}:{port}/ in a browser (Ctrl-C stops it)", flush=True
    )
    try:
        return subprocess.call(server_command(host, port, open_browser), env=server_environment())
    except KeyboardInterrupt:
        return 130
