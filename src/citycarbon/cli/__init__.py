"""Typer command line: thin commands that parse options, call a service and render."""
