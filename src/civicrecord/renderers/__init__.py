"""The formats that ship with civicrecord, each an ordinary plugin module.

They are registered through the same ``register_renderers`` hook as any
installed plugin, and never import one another.
"""
