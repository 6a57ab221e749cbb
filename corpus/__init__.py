"""The corpus: article and resource data files, their schema, loading, cleaning and chunking."""
