"""Closed-loop supervision: monitoring data, warnings, indicators and rectification cases."""
