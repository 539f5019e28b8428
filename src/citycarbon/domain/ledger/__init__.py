"""Carbon ledger domain: periods, activity categories, formulas and factor lineage."""
