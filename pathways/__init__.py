"""Domain of the Pathways service: tables, rules and reports, with no web framework."""
