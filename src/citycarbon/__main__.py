"""``python -m citycarbon`` runs the command line."""

from citycarbon.cli.main import main

main()
