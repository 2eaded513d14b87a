"""Inference keeps no tables: generators live in the registry directory."""
