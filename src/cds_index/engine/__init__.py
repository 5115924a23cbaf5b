"""Scoring: the compiled plan walked once per unit, with its structured trace."""
