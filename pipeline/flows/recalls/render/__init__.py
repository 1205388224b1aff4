"""Renderers of flow 6's documents (PDF/A-3b with the facts they show embedded)."""
