"""Pure domain core: stdlib, pint and pydantic only (enforced by tests/domain/test_purity.py)."""
