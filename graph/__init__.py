"""netintel graph package."""
