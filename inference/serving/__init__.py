"""What a web or worker process needs to load generators, draw pictures and guess.

Model cards and the registry (:mod:`.cards`, :mod:`.registry`, :mod:`.architectures`), the
runtime that keeps loaded generators (:mod:`.runtime`, :mod:`.loaded_generator`,
:mod:`.fast_path`, :mod:`.devices`, :mod:`.engine`), the guesser (:mod:`.suggestions`), sketch
and PNG files (:mod:`.sketch_files`, :mod:`.png_writer`), the things and themes
(:mod:`.things`, :mod:`.themes`, :mod:`.crayons`) and the networks with what they need to draw
(:mod:`.pix2pix`, :mod:`.palette`). Nothing here imports :mod:`inference.lab`.
"""
