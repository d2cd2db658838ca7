"""netintel analytics package."""
