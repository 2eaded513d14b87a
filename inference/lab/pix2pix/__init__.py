"""pix2pix's lab: training, the dev-set evaluation, the picture and canvas judges and the
doodles they judge (the networks and drawing live in :mod:`inference.serving.pix2pix`).

Must import without Django: this package is copied to GPU boxes for training.
"""
