"""What the demo-data generators share (placeholder; filled by the demo split)."""

RECORDED_AT = "2026-11-30T06:00:00"
