"""The palette painter (``kids3``): colour chosen per region from a palette, not averaged.

A U-Net reads the child's lines and colour hints
(:func:`inference.serving.pix2pix.hints.split_sketch`) and the thing the child picked, and says, for
every pixel, how likely each colour of a fixed palette is there (classification, as in Zhang, Isola
& Efros 2016, *Colorful Image Colorization*, with their class rebalancing). :mod:`.painting` then
decides one definite colour per shape the child's lines close (the mode of the shape's summed
evidence), keeps the child's own colours and lines as drawn, and paints at the canvas's full size.
Plain torch and numpy.
"""
