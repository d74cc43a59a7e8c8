#!/usr/bin/env python3
"""One API, two façades: checks that the Kotlin façade (KeepsakeStore.kt) and the Swift
façade (KeepsakeStore.swift) each call every method the generated bindings export on the
`Keepsake` object (and every exported top-level function), and that the two façades offer
the same public methods (names compared after the few deliberate convention differences
in ALIASES). Prints what it compared; exits 1 on any drift.

usage: api-parity.py BINDINGS_DIR KOTLIN_FACADE SWIFT_FACADE
"""
import re
import sys
from pathlib import Path

# Kotlin name -> Swift name, where each platform's convention differs on purpose.
ALIASES = {
    "exportJson": "exportJSON",  # Swift capitalises acronyms
    "storyJson": "storyJSON",
    "birthday": "setBirthday",  # Swift names setters with set…
}

def block(text: str, start: str) -> str:
    """The brace-balanced body that follows the first line matching `start`."""
    m = re.search(start, text, re.M)
    if not m:
        sys.exit(f"api-parity: no match for {start!r}")
    i = text.index("{", m.end() - 1)
    depth = 0
    for j in range(i, len(text)):
        if text[j] == "{":
            depth += 1
        elif text[j] == "}":
            depth -= 1
            if depth == 0:
                return text[i + 1 : j]
    sys.exit(f"api-parity: unbalanced block after {start!r}")


def binding_api(bindings: Path) -> tuple[set, set, set]:
    kt = next(bindings.rglob("*.kt")).read_text()
    swift = next(bindings.rglob("*.swift")).read_text()
    fun = r"^\s*(?:@\w+(?:\([^)]*\))?\s+)*fun `?(\w+)`?\("
    kt_methods = set(re.findall(fun, block(kt, r"^public interface KeepsakeInterface\b"), re.M))
    # Named constructors live in Keepsake's companion object / as static funcs.
    companion = block(block(kt, r"^open class Keepsake\b"), r"^\s*companion object\b")
    kt_ctors = set(re.findall(fun, companion, re.M))
    sw_methods = set(re.findall(r"^\s*func `?(\w+)`?\(", block(swift, r"^public protocol KeepsakeProtocol\b"), re.M))
    sw_ctors = set(re.findall(r"^\s*public static func `?(\w+)`?\(", block(swift, r"^open class Keepsake\b"), re.M))
    # Exported top-level functions (the generated helpers excluded).
    sw_top = {n for n in re.findall(r"^public func `?(\w+)`?\(", swift, re.M)
              if not n.startswith(("FfiConverter", "uniffi"))}
    kt_top = {n for n in sw_top if re.search(rf"\bfun `{n}`\(", kt)}
    for what, a, b in (("methods", kt_methods, sw_methods), ("constructors", kt_ctors, sw_ctors),
                       ("functions", kt_top, sw_top)):
        if a != b:
            sys.exit(f"api-parity: the generated Kotlin and Swift {what} differ: {sorted(a ^ b)}")
    return kt_methods, kt_ctors, kt_top


def public_members_kotlin(src: str) -> set:
    """Public functions of the class body and its companion object (not those of objects
    made inside a function, nor private or internal ones)."""
    body = block(src, r"^class KeepsakeStore\b")
    names = set()
    depth = 0
    in_companion = False
    for line in body.splitlines():
        s = line.strip()
        if depth == 0 or (in_companion and depth == 1):
            m = re.match(r"(?:override\s+)?fun (\w+)\(", s)
            if m:
                names.add(m.group(1))
        if depth == 0 and s.startswith("companion object"):
            in_companion = True
        depth += line.count("{") - line.count("}")
        if depth == 0:
            in_companion = False
    return names


def public_members_swift(src: str) -> set:
    body = block(src, r"^public final class KeepsakeStore\b")
    names = set(re.findall(r"^\s*public (?:static )?func (\w+)\(", body, re.M))
    return names


def main() -> int:
    bindings, kotlin, swift = (Path(a) for a in sys.argv[1:4])
    methods, ctors, functions = binding_api(bindings)
    kt_src = kotlin.read_text()
    sw_src = swift.read_text()
    problems = []
    for name in sorted(methods | ctors):
        if f".{name}(" not in kt_src:
            problems.append(f"Kotlin façade never calls Keepsake.{name}")
        if f".{name}(" not in sw_src:
            problems.append(f"Swift façade never calls Keepsake.{name}")
    for name in sorted(functions):
        if not re.search(rf"(?<![\w.]){name}\(", kt_src.replace("fun " + name, "")):
            problems.append(f"Kotlin façade never calls {name}()")
        if not re.search(rf"(?<![\w.]){name}\(", sw_src.replace("func " + name, "")):
            problems.append(f"Swift façade never calls {name}()")
    kt_public = public_members_kotlin(kt_src)
    sw_public = public_members_swift(sw_src)
    kt_as_swift = {ALIASES.get(n, n) for n in kt_public}
    for name in sorted(kt_as_swift - sw_public):
        problems.append(f"Kotlin façade has {name}, Swift façade does not")
    for name in sorted(sw_public - kt_as_swift):
        problems.append(f"Swift façade has {name}, Kotlin façade does not")
    print(
        f"api-parity: {len(methods)} Keepsake methods + {len(ctors)} constructors + "
        f"{len(functions)} functions exported; façades: {len(kt_public)} Kotlin, "
        f"{len(sw_public)} Swift public methods; aliases: "
        + ", ".join(f"{k}→{v}" for k, v in ALIASES.items())
    )
    for p in problems:
        print(f"  drift: {p}")
    print(f"api-parity: {'OK' if not problems else f'{len(problems)} problems'}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
