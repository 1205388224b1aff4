"""Renderers of the fulfilment documents."""
