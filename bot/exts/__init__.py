"""Discord extensions, one feature each: thin adapters over the retrieval core."""
