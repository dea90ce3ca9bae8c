"""Applications and the statutory workflow from acceptance to the decision notice."""
