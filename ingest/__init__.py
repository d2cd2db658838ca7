"""netintel ingest package."""
