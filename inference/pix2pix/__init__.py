"""pix2pix's training and judging, until they move to the lab (inference.serving.pix2pix serves)."""
