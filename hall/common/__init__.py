"""Helpers every layer may use: validators, display names, SVG text helpers, form adapters."""
