"""Back end: an adjoint becomes Python source, built as libcst nodes.

module (the whole emitted module) -> statements (one function body) ->
expressions and prims (one right-hand side); in_place decides accumulation.
"""
