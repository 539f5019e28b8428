"""Versioned reference data: factor sets, code lists and the loaders that validate them."""
