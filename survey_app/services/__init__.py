"""Domain verbs on the database. They flush, never commit, and raise domain errors."""
