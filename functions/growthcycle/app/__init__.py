"""The use cases, one module per capability: what a route or handler asks for, in domain words."""
