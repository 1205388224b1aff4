"""Renderers of flow 4: a disclosure version, and an order's disclosure receipt."""
