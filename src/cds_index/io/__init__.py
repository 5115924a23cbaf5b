"""Tables in and out: CSV and Excel readers and writers, the inputs template, safe cells."""
