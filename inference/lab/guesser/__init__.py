"""The "What did you draw?" guesser's lab: the drawings it learns from, its training run, its
calibration and its judge.

Serving stays where it was (:mod:`inference.serving.suggestions` finds and loads the shipped
classifier; :mod:`inference.serving.pix2pix.sketch_classifier` asks it). This package is what makes
a classifier that guesses a *child's* drawing rather than the project's own sketch style: several
drawing procedures (:mod:`.outlines` draws a picture's silhouette and main parts as a child would;
the roughened line art of :mod:`inference.serving.pix2pix.sketchify` is another), temperature
scaling fitted on a procedure neither of them is (:mod:`.calibration`), and a judge on drawings made
on the real canvas. Plain torch, numpy and OpenCV; no Django.
"""
