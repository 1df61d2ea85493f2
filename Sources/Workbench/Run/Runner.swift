// Runs a scenario: simulate, then write results.
