"""Measuring the product: retrieval quality (`paperbot eval`) and speed/memory (`paperbot bench`)."""
