"""Background jobs (Django's tasks framework, database backend) with a visible status and
progress: department-feed imports and batch assessments of a jurisdiction."""
