"""The scheduled config-drift audit: run, classify, report, keep, compare, fix (through the change flow)."""
