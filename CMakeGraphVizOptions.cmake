# `cmake --graphviz=FILE`: the project's own targets and the libraries they link, without one
# file per target (docs/ARCHITECTURE.md's target graph and tests/architecture read the main file).
set(GRAPHVIZ_GENERATE_PER_TARGET FALSE)
set(GRAPHVIZ_GENERATE_DEPENDERS FALSE)
