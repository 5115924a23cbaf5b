"""Reading: finding a definition, safe YAML with positions, values as people write them."""
