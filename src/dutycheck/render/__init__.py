"""Renderers: functions from an AuditResult to text, one module per format. They never recompute."""
