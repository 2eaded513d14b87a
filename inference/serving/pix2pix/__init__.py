"""pix2pix in plain torch: networks, image conversions (and, later, data and training).

Must import without Django: this package is copied to GPU boxes for training.
"""
