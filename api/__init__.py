"""netintel api package."""
