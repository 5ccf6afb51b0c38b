"""The schema's GraphQL types: one module per object kind, and the plumbing they share."""
