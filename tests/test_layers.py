"""The layers point one way (README, "Design notes"): app and commands → blueprints → services
→ models → core. Read from the source with ``ast``, so a new module is held to it unlisted."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("core", "models", "services", "storefront", "admin", "landing")
TOP_MODULES = ("app", "commands", "wsgi")
BLUEPRINTS = {"storefront", "admin", "landing"}
ROUTE_DECORATORS = {"route", "get", "post", "put", "patch", "delete"}


def project_modules():
    """{dotted name: (path, is a package)} of every module of the project."""
    found = {name: (ROOT / f"{name}.py", False) for name in TOP_MODULES}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            is_package = parts[-1] == "__init__"
            found[".".join(parts[:-1] if is_package else parts)] = (path, is_package)
    return found


MODULES = project_modules()
TREES = {name: ast.parse(path.read_text(encoding="utf-8")) for name, (path, _) in MODULES.items()}


def imports_of(name):
    """The project modules ``name`` imports, anywhere in it (a function's body included)."""
    is_package = MODULES[name][1]
    package = name if is_package else name.rpartition(".")[0]
    targets = set()
    for node in ast.walk(TREES[name]):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*up, base] if base else up)
            targets.add(base)
            targets.update(f"{base}.{alias.name}" for alias in node.names)
    return {t for t in targets if t in MODULES and t != name}


GRAPH = {name: imports_of(name) for name in MODULES}


def top(name):
    return name.split(".")[0]


def layer_imports(layer, forbidden):
    return sorted(
        f"{name} imports {target}"
        for name in MODULES
        if top(name) == layer
        for target in GRAPH[name]
        if top(target) in forbidden
    )


def test_core_imports_nothing_above_it():
    above = {"models", "services", "storefront", "admin", "landing", *TOP_MODULES}
    assert layer_imports("core", above) == []


def test_models_import_neither_services_nor_blueprints():
    assert layer_imports("models", {"services", *BLUEPRINTS, *TOP_MODULES}) == []


def test_services_import_no_blueprint():
    assert layer_imports("services", {*BLUEPRINTS, *TOP_MODULES}) == []


@pytest.mark.parametrize("blueprint", sorted(BLUEPRINTS))
def test_a_blueprint_imports_no_other_blueprint(blueprint):
    assert layer_imports(blueprint, (BLUEPRINTS - {blueprint}) | set(TOP_MODULES)) == []


def is_route_module(name):
    for node in ast.walk(TREES[name]):
        if isinstance(node, ast.FunctionDef):
            for decorator in node.decorator_list:
                target = decorator.func if isinstance(decorator, ast.Call) else decorator
                if isinstance(target, ast.Attribute) and target.attr in ROUTE_DECORATORS:
                    return True
    return False


def test_no_route_module_imports_another():
    routes = {name for name in MODULES if is_route_module(name)}
    assert {"admin.customers", "admin.orders", "storefront.account", "landing.views"} <= routes
    found = sorted(f"{name} imports {t}" for name in routes for t in GRAPH[name] & routes)
    assert found == []


def test_no_import_cycles():
    # A package importing its own submodules (a blueprint registering its views) is the one
    # way round allowed: the submodules import the package for its ``bp``.
    graph = {
        name: {t for t in targets if not (MODULES[name][1] and t.startswith(name + "."))}
        for name, targets in GRAPH.items()
    }
    cycles = []
    state = {}  # name -> "open" while on the path, "done" once explored

    def visit(name, path):
        state[name] = "open"
        for target in sorted(graph[name]):
            if state.get(target) == "open":
                cycles.append(" -> ".join([*path[path.index(target) :], target]))
            elif target not in state:
                visit(target, [*path, target])
        state[name] = "done"

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert cycles == []
