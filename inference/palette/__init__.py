"""The palette painter's training, until it moves to the lab (inference.serving.palette serves)."""
