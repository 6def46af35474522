"""The import graph of ``sim`` as text: what each package or module imports inside ``sim``.

Lazy and ``TYPE_CHECKING`` imports count, as they do for the layer contracts in
``pyproject.toml`` (checked by ``lint-imports``). Usage::

    python benchmarks/import_graph.py              # the layers: sim.X -> sim.Y
    python benchmarks/import_graph.py sim.run      # the modules of one package
    import-linter drawgraph sim | dot -Tsvg > sim-imports.svg   # a drawing (graphviz)
"""

from __future__ import annotations

import sys

import grimp


def edges(package: str) -> dict[str, set[str]]:
    """Each child of ``package`` -> the other children it imports (descendants collapsed)."""
    graph = grimp.build_graph(package.split(".")[0])
    depth = package.count(".") + 2

    def child(module: str) -> str:
        return ".".join(module.split(".")[:depth])

    found: dict[str, set[str]] = {}
    for module in graph.find_descendants(package):
        importer = child(module)
        found.setdefault(importer, set())
        for imported in graph.find_modules_directly_imported_by(module):
            if imported.startswith(f"{package}.") and child(imported) != importer:
                found[importer].add(child(imported))
    return found


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    package = args[0] if args else "sim"
    for importer, imported in sorted(edges(package).items()):
        print(f"{importer} -> {', '.join(sorted(imported)) or '(nothing in ' + package + ')'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
