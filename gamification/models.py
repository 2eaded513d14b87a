"""Gamification models arrive with the gamification issue."""
