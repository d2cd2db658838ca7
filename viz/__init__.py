"""netintel viz package."""
