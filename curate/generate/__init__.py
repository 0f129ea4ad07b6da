"""Everything curate generates from the one schema, one module per target."""
