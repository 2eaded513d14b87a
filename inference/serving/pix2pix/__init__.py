"""pix2pix in plain torch, as served: the networks, their inputs, drawing, image conversions and
the data reader (training lives in :mod:`inference.lab.pix2pix`).

Must import without Django: this package is copied to GPU boxes, with the lab, for training.
"""
