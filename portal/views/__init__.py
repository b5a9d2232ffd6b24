"""Thin HTTP handlers: one blueprint per area."""
