"""Pure economics: CES demand, structural-gravity general equilibrium, welfare.

Nothing in this package imports Mesa or does I/O. Functions take numpy arrays
and return numpy arrays (or small frozen dataclasses of arrays).
"""
