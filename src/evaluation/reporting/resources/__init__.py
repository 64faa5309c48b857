"""Static resources of the reports: the message catalogue (English and Spanish)."""
