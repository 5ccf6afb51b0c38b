"""jcgraph: a GraphQL gateway over JumpCloud directory data."""

__version__ = "0.1.0"
