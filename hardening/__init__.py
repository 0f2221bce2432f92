"""Gates that run the platform for real: API fuzzing (`make fuzz`) and the load scenario (`make load`)."""
