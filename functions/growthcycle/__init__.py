"""Growth Cycle: appraisal and professional growth for schools and trusts."""
