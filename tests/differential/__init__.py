"""Differential tests: agc against numpy, jax and central differences."""
