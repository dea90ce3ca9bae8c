"""Users, roles and jurisdictions: who may see and do what, where."""
