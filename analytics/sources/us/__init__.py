"""United States: County Business Patterns readers, suppression handling, benchmark cluster definitions."""
