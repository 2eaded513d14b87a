"""What makes and judges generators and the guesser; never imported by a web or worker process.

Datasets (:mod:`.datasets`), training (:mod:`.pix2pix.training`, :mod:`.palette`, the guesser's
:mod:`.guesser`), evaluation and judging (:mod:`.pix2pix.evaluation`, the picture and canvas
judges), export to ONNX (:mod:`.exporting`), promotion into the registry (:mod:`.promotion`),
the benchmark and test generators (:mod:`.benchmark`, :mod:`.testing`). It stands on
:mod:`inference.serving` (the networks it trains are the ones served); the management commands
wrap it.
"""
