"""Warehouse fixture package."""
