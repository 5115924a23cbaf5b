"""Static checks: a definition's sums, steps, inputs and formulas; `cds-index check` per file kind."""
