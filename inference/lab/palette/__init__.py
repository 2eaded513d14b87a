"""The palette painter's lab: its training, its region model's training and installing a
trained painter into the registry (it paints with :mod:`inference.serving.palette`)."""
