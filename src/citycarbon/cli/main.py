"""The ``citycarbon`` command.

Exit codes: 0 success, 2 bad input (with row-level messages), 3 configuration or reference-data
problem. No traceback reaches the user for any expected error.
"""

from __future__ import annotations

from citycarbon.cli import (
    case_commands,
    efficiency_commands,
    index_commands,
    ledger_commands,
    monitoring_commands,
    platform_api_commands,
    platform_commands,
    registry_commands,
)
from citycarbon.cli.app import app

ledger_commands.register(app)
platform_commands.register(app)
efficiency_commands.register(app)
platform_api_commands.register(app)
registry_commands.register(app)
index_commands.register(app)
monitoring_commands.register(app)
case_commands.register(app)


def main() -> None:
    """Entry point used by ``python -m citycarbon``."""
    app()
