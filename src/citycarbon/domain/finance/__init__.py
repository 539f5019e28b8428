"""Green-finance rules: business tiers of individual businesses and loan-pricing adjustments."""
