"""What every test app compiles the same way, compiled once per run.

Each test builds its own app with ``create_app``, as the style guide asks. Most of that
time went into work that gives the same result in every app: Werkzeug compiles a Python
function per URL rule to build its URLs (two per rule, some eighty rules), and Jinja compiles
each template an app renders. Both results depend only on their input (the rule and its
defaults; the template's source), so they are kept here across apps. Nothing an app
configures changes them; the apps stay separate in everything else."""

from jinja2 import BytecodeCache
from werkzeug.routing.rules import Rule

_builders = {}


def _builder_key(rule, append_unknown):
    """Everything ``Rule._compile_builder`` reads: the parsed rule, the defaults it folds
    into constants, and which arguments the function takes."""
    defaults = rule.defaults or {}
    folded = tuple(
        (name, rule._converters[name].to_url(value) if name in rule._converters else None)
        for name, value in defaults.items()
    )
    return (rule.rule, tuple(rule._trace), folded, append_unknown)


def install():
    """Share the URL builders Werkzeug compiles: the function it makes takes the rule as an
    argument, so one function serves the same rule in every app."""
    if getattr(Rule._compile_builder, "shared", False):
        return
    compile_builder = Rule._compile_builder

    def shared_compile_builder(self, append_unknown=True):
        key = _builder_key(self, append_unknown)
        builder = _builders.get(key)
        if builder is None:
            builder = _builders[key] = compile_builder(self, append_unknown)
        return builder

    shared_compile_builder.shared = True
    Rule._compile_builder = shared_compile_builder


class SharedTemplateCode(BytecodeCache):
    """Compiled templates kept in memory for every app of the run; Jinja checks the source's
    checksum before it uses one, so an edited template is compiled again."""

    def __init__(self):
        self.code = {}

    def load_bytecode(self, bucket):
        checksum, code = self.code.get(bucket.key, (None, None))
        if code is not None and checksum == bucket.checksum:
            bucket.code = code

    def dump_bytecode(self, bucket):
        self.code[bucket.key] = (bucket.checksum, bucket.code)


TEMPLATE_CODE = SharedTemplateCode()


def share_templates(app):
    app.jinja_env.bytecode_cache = TEMPLATE_CODE
