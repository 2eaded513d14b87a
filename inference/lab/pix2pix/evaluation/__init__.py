"""Compare generator checkpoints on a held-out dev set of child-like sketches.

The seed project's warning is that a generator trained on tidy outlines meets wobbly, gappy
children's strokes at serving time, so checkpoints are chosen here on sketches that look like
a child drew them and that no checkpoint trained on. One module per step:

* :mod:`.devset` — building and reading the dev set (sketchified ``val`` pairs, doodles);
* :mod:`.metrics` — what one picture is measured on: line following, fill, colourfulness,
  L1 / PSNR / SSIM against a real picture;
* :mod:`.scoring` — every dev sketch drawn by a candidate (through
  :func:`inference.serving.pix2pix.drawing.draw`) and scored, recognisability by the category
  classifier (the FCN-score idea), the means and :func:`~.scoring.combined_score` to rank by;
* :mod:`.reports` — ``metrics.csv`` / ``metrics.json``, the comparison sheet, the HTML page.

Plain torch + numpy + Pillow, no Django: the management command ``evaluate_generators`` wraps
it.
"""
