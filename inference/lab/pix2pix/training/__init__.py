"""Training a pix2pix generator, one file per concern (as pytorch/examples' fast_neural_style):

* :mod:`.config` — ``TrainConfig``, one run, and its command line;
* :mod:`.losses` — the GAN + λ·L1 objective and one update of D then G;
* :mod:`.checkpoints` — the nets and optimisers, epoch checkpoints, the resume files and the
  one resume rule;
* :mod:`.monitor` — ``losses.csv``, its plot, sample grids with held-out L1, the progress bar;
* :mod:`.loop` — the data of an epoch and the loop itself.

Plain torch, no Django, so the package can be copied to a GPU box.
"""
