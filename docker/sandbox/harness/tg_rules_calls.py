"""Rules on what a test calls: processes, network, native code, sleeping, the environment,
files outside tmp, exiting, eval and reflection. Each rule is one registered check per event
(tg_rule_registry); the name tables are in tg_rule_names.
"""

from __future__ import annotations

import ast

from tg_rule_names import (
    BUILTINS_NAMES,
    ENV_CALLS,
    ENV_OBJECTS,
    EVAL,
    EXIT,
    EXIT_EXCEPTIONS,
    FS_CALLS,
    HTTP_CLIENT_PREFIXES,
    MUTATORS,
    NATIVE_PREFIXES,
    NET_EXACT,
    NET_PREFIXES,
    NET_SAFE,
    OPEN_CALLS,
    PATH_WRITE_METHODS,
    PROC_EXACT,
    PROC_PREFIXES,
    PROC_SAFE_SUFFIXES,
    REFLECTION_CALLS,
    SENSITIVE_MODULES,
    SLEEP,
    call_arg,
    const_str,
    reflective_danger,
    under_tmp,
)
from tg_rule_registry import Hit, allow_rule_advice, rule

_NET_NOT_A_CALL = ("Error", "Exception", "Timeout", "Warning", "timeout", "error")
_WRITE_MODE = set("wax+")
_WRITE_FLAGS = {"O_WRONLY", "O_RDWR", "O_CREAT", "O_APPEND", "O_TRUNC"}


@rule(
    "TG-SUBPROCESS",
    on="call",
    reason="unsafe",
    severity="high",
    message="tests must not start, signal or fork processes",
    advice="tests must not run shell commands or other programs",
)
def subprocess_call(ctx):
    name = ctx.name
    if name in PROC_EXACT or (name.startswith(PROC_PREFIXES) and not name.endswith(PROC_SAFE_SUFFIXES)):
        return Hit(f"calls {name}")
    return None


@rule("TG-SUBPROCESS", on="reference")
def subprocess_reference(ctx):
    """A dangerous function named without calling it (`f = os.system`) is flagged too."""
    return Hit(f"uses {ctx.name}") if ctx.name in PROC_EXACT else None


@rule(
    "TG-NETWORK",
    on="call",
    reason="unsafe",
    severity="high",
    message="tests run without network; a test that talks to a server is not repeatable",
    advice="tests must not use the network (the sandbox has none); mock the client instead",
)
def network_call(ctx):
    name = ctx.name
    if not (name.startswith(NET_PREFIXES) or name in NET_EXACT) or name in NET_SAFE or name.endswith(_NET_NOT_A_CALL):
        return None
    if ctx.http_mocked and name.startswith(HTTP_CLIENT_PREFIXES):
        return None  # the file intercepts HTTP clients in-process (responses, respx, ...)
    return Hit(f"calls {name}")


@rule(
    "TG-NATIVE",
    on="call",
    reason="unsafe",
    severity="high",
    message="ctypes/cffi call native code outside the audit hooks",
    advice="tests must not load native code",
)
def native_call(ctx):
    return Hit(f"calls {ctx.name}") if ctx.name.startswith(NATIVE_PREFIXES) else None


@rule(
    "TG-SLEEP",
    on="call",
    reason="unsafe",
    severity="medium",
    message="sleeping makes tests slow and timing-dependent; mock the clock instead",
    advice="tests must not sleep; mock the clock instead",
)
def sleep_call(ctx):
    if ctx.name not in SLEEP:
        return None
    seconds = call_arg(ctx.node, 0, "seconds", "secs", "delay")
    if seconds is None or (
        isinstance(seconds, ast.Constant) and isinstance(seconds.value, (int, float)) and seconds.value <= 0
    ):
        return None
    return Hit(f"calls {ctx.name}({ast.unparse(seconds)[:40]})")


@rule(
    "TG-ENV",
    on="call",
    reason="unsafe",
    severity="medium",
    message="mutating os.environ leaks into other tests; use monkeypatch.setenv",
    advice="tests must not change the environment; use monkeypatch.setenv",
)
def env_call(ctx):
    found = []
    if ctx.name in ENV_CALLS:
        found.append(Hit(f"calls {ctx.name}"))
    if ctx.attr and ctx.receiver in ENV_OBJECTS and ctx.attr in MUTATORS:
        found.append(Hit(f"calls {ctx.receiver}.{ctx.attr}"))
    return found


@rule("TG-ENV", on="store")
def env_store(ctx):
    stored = ctx.container or ctx.whole
    return Hit(f"assigns {stored}") if ctx.container in ENV_OBJECTS or ctx.whole in ENV_OBJECTS else None


@rule(
    "TG-WRITE-OUTSIDE-TMP",
    on="call",
    reason="unsafe",
    severity="high",
    message="tests may write only under tmp_path/tmpdir",
    advice="tests must write only under pytest's tmp_path",
)
def write_call(ctx):
    name, node = ctx.name, ctx.node
    if name in OPEN_CALLS:
        return _open_call(ctx)
    if name == "os.open":
        flags = call_arg(node, 1, "flags")
        flag_names = {
            n.attr if isinstance(n, ast.Attribute) else n.id
            for n in (ast.walk(flags) if flags is not None else ())
            if isinstance(n, (ast.Attribute, ast.Name))
        }
        return (
            ctx.write_path(call_arg(node, 0, "path"), "os.open for writing", False)
            if flag_names & _WRITE_FLAGS
            else None
        )
    if name in FS_CALLS:
        return [
            hit
            for index in FS_CALLS[name]
            if (
                hit := ctx.write_path(call_arg(node, index, "src" if index == 0 else "dst", "path"), f"{name} on", True)
            )
            is not None
        ]
    if ctx.attr:
        return _path_method(ctx)
    return None


def _open_call(ctx):
    """open(path, mode) and its io/codecs/gzip/... twins."""
    mode = call_arg(ctx.node, 1, "mode")
    if mode is None:
        return None
    path = call_arg(ctx.node, 0, "file", "filename")
    mode_s = const_str(mode)
    if mode_s is None:
        return ctx.write_path(path, "opens with a computed mode", True)
    return ctx.write_path(path, f"opens for writing ({mode_s!r})", False) if set(mode_s) & _WRITE_MODE else None


def _path_method(ctx):
    """Path('/literal').write_text(...), .unlink(), .rename(...), .open('w')."""
    lit = ctx.literal_path(ctx.node.func.value)
    if lit is None or lit[0] != "path":
        return None
    attr, found = ctx.attr, []
    if attr in PATH_WRITE_METHODS:
        if not under_tmp(lit[1]):
            found.append(Hit(f"Path.{attr} on {lit[1]!r}", "high"))
        if attr in ("rename", "replace", "symlink_to", "hardlink_to") and ctx.node.args:
            hit = ctx.write_path(ctx.node.args[0], f"Path.{attr} to", True)
            if hit is not None:
                found.append(hit)
    elif attr == "open":
        mode_s = const_str(call_arg(ctx.node, 0, "mode"))
        if mode_s and set(mode_s) & _WRITE_MODE and not under_tmp(lit[1]):
            found.append(Hit(f"Path.open({mode_s!r}) on {lit[1]!r}", "high"))
    return found


@rule(
    "TG-EXIT",
    on="call",
    reason="tampering",
    severity="high",
    message="exiting the interpreter ends the test run instead of reporting an outcome",
    advice="tests must not exit the interpreter: it hides the outcome",
)
def exit_call(ctx):
    return Hit(f"calls {ctx.name}()") if ctx.name in EXIT else None


@rule("TG-EXIT", on="raise")
def exit_raise(ctx):
    exc = ctx.node.exc.func if isinstance(ctx.node.exc, ast.Call) else ctx.node.exc
    return Hit(f"raises {ctx.q(exc)}") if exc is not None and ctx.q(exc) in EXIT_EXCEPTIONS else None


@rule(
    "TG-EVAL",
    on="call",
    reason="unsafe",
    severity="high",
    message="eval/exec/compile run code the gate cannot inspect",
    advice="tests must not evaluate dynamic code",
)
def eval_call(ctx):
    return Hit(f"calls {ctx.name}()") if ctx.name in EVAL else None


def reflected_module(ctx) -> str | None:
    """The sensitive module a getattr/setattr/delattr/vars call reflects on (`getattr(os, n)`: "os")."""
    if ctx.name in REFLECTION_CALLS and ctx.node.args:
        target = ctx.q(ctx.node.args[0])
        if target in SENSITIVE_MODULES:
            return target
    return None


def sets_builtins(ctx, target: str) -> bool:
    """setattr/delattr on builtins: TG-BUILTINS rather than TG-REFLECTION."""
    return target in BUILTINS_NAMES and ctx.short in ("setattr", "delattr")


@rule(
    "TG-REFLECTION",
    on="call",
    reason="unsafe",
    severity="high",
    message="reaching os/subprocess/builtins attributes by name hides which function runs",
    advice=allow_rule_advice("TG-REFLECTION"),
)
def reflection_call(ctx):
    target = reflected_module(ctx)
    if target is None or sets_builtins(ctx, target):
        return None
    member = const_str(ctx.node.args[1]) if len(ctx.node.args) > 1 else None
    if ctx.short == "getattr" and member is not None and not reflective_danger(target, member):
        return None  # getattr(sys, "frozen", False): a named, harmless attribute hides nothing
    return Hit(f"{ctx.short}() on module `{target}`")


@rule("TG-REFLECTION", on="attribute")
def reflection_dict(ctx):
    if ctx.node.attr == "__dict__" and ctx.q(ctx.node.value) in SENSITIVE_MODULES:
        return Hit(f"reads {ctx.q(ctx.node.value)}.__dict__")
    return None
