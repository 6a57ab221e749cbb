"""Embeddings, the on-disk FAISS index and the retriever. Never imports discord."""
