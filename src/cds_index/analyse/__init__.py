"""Analyses over results: ranking, gaps, diff, what-if scenarios, sensitivity, roll-up."""
