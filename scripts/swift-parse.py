#!/usr/bin/env python3
"""Parses every Swift file under the given folders with tree-sitter's Swift grammar and
fails on any ERROR or MISSING node: the check that stands in for a Swift compiler on
machines without one (no Swift toolchain runs here).

Lines that are only `#if swift(>=5.8)`, `#endif` or an `@_documentation(...)` attribute
are blanked before parsing (same line count, so positions stay right): an attribute
alone inside `#if` is valid Swift that the grammar rejects. Likewise a closure whose
body is the empty tuple, `{ () }` (uniffi's callback glue), is read as `{ }` — the same
`() -> ()` closure.

usage: swift-parse.py DIR_OR_FILE...
"""
import pathlib
import re
import sys

import tree_sitter
import tree_sitter_swift

BLANK = re.compile(r"^\s*(#if swift\(>=5\.8\)|#endif|@_documentation\(.*\))\s*$")


def problems(tree):
    out = []
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.type == "ERROR" or node.is_missing:
            kind = "missing " + node.type if node.is_missing else "error"
            out.append((node.start_point[0] + 1, node.start_point[1] + 1, kind))
            continue
        if node.has_error:
            stack.extend(node.children)
    return sorted(out)


def main():
    parser = tree_sitter.Parser(tree_sitter.Language(tree_sitter_swift.language()))
    files = []
    for arg in sys.argv[1:]:
        p = pathlib.Path(arg)
        files.extend(sorted(p.rglob("*.swift")) if p.is_dir() else [p])
    if not files:
        sys.exit("swift-parse: no Swift files found")
    bad = 0
    lines = 0
    blanked = 0
    unit_closures = 0
    for f in files:
        text = f.read_text(encoding="utf-8").split("\n")
        lines += len(text)
        blanked += sum(1 for line in text if BLANK.match(line))
        unit_closures += sum(line.count("{ () }") for line in text if not BLANK.match(line))
        cleaned = "\n".join(
            "" if BLANK.match(line) else line.replace("{ () }", "{ }") for line in text)
        found = problems(parser.parse(cleaned.encode("utf-8")))
        for line, col, kind in found[:10]:
            print(f"{f}:{line}:{col}: {kind}: {text[line - 1].strip()[:100]}")
        bad += bool(found)
    print(f"rewrites before parsing (grammar gaps, not code changes): {blanked} lines of "
          f"`#if swift(>=5.8)`/`#endif`/`@_documentation` blanked, {unit_closures} `{{ () }}` read as `{{ }}`")
    print(f"{len(files)} Swift files ({lines} lines) parsed, {bad} with errors")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
