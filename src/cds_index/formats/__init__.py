"""The file kinds as pydantic models (definitions, overlays, rearrangements) and their JSON Schemas."""
