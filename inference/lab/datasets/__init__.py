"""Builders for paired sketch→picture training sets (aligned ``A|B`` images).

Plain Python + Pillow, no Django: the management commands are thin wrappers, and the
training code reads the folders these builders write.
"""
