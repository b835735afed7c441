"""The CLI reference (docs/cli.md), the man page (docs/mcsim.1) and the bash completion
(cli/completion/mcsim.bash) against what the binary says in --help.

The command list comes from `mcsim --help`; each command's long options from
`mcsim CMD --help`; the values of an option from its `--opt a|b` form in the usage lines.
A command or option added to the CLI and not to all three files fails here, and so does
one documented that the CLI does not have.
"""
import os
import pathlib
import re
import shutil
import subprocess

import pytest

ROOT = pathlib.Path(os.environ.get("MCSIM_SOURCE_DIR", pathlib.Path(__file__).resolve().parents[2]))
CLI_MD = ROOT / "docs" / "cli.md"
MAN = ROOT / "docs" / "mcsim.1"
COMPLETION = ROOT / "cli" / "completion" / "mcsim.bash"
BASH_COMPLETION = pathlib.Path("/usr/share/bash-completion/bash_completion")

LONG_OPT = re.compile(r"(?<![\w-])(--[a-z][a-z0-9-]*)")
VALUES = re.compile(r"(--[a-z][a-z0-9-]*) ([a-z0-9]+(?:\|[a-z0-9]+)+)")


def run(*args, **kw):
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=60, **kw)


@pytest.fixture(scope="module")
def commands(mcsim_bin):
    r = run(mcsim_bin, "--help")
    assert r.returncode == 0
    block = r.stdout.split("commands:\n", 1)[1].split("\n\n", 1)[0]
    names = re.findall(r"^  ([a-z][a-z0-9-]*) ", block, re.M)
    assert {"run", "check", "decode", "validate", "live"} <= set(names), block
    return names


@pytest.fixture(scope="module")
def helps(mcsim_bin, commands):
    out = {}
    for cmd in commands:
        r = run(mcsim_bin, cmd, "--help")
        assert r.returncode == 0, f"mcsim {cmd} --help: exit {r.returncode}\n{r.stderr}"
        assert r.stdout.startswith(f"usage: mcsim {cmd}"), f"mcsim {cmd} --help starts with {r.stdout[:60]!r}"
        assert r.stderr == "", f"mcsim {cmd} --help wrote to stderr: {r.stderr}"
        short = run(mcsim_bin, cmd, "-h")
        assert (short.returncode, short.stdout) == (0, r.stdout), f"mcsim {cmd} -h differs from --help"
        out[cmd] = r.stdout
    return out


def options_of(text):
    return set(LONG_OPT.findall(text))


def usage_values(help_text):
    """{'--format': {'text', 'jsonl'}, ...} from the usage lines (before the first blank line)."""
    usage = help_text.split("\n\n", 1)[0]
    return {opt: set(vals.split("|")) for opt, vals in VALUES.findall(usage)}


def sections(text, pattern):
    """{name: body} for each heading matched by `pattern` (one group: the name) up to the next."""
    heads = list(re.finditer(pattern, text, re.M))
    return {m.group(1): text[m.end():(heads[i + 1].start() if i + 1 < len(heads) else len(text))]
            for i, m in enumerate(heads)}


def man_plain(src):
    """Man source with font escapes removed and \\- as -, so options read as on the screen."""
    s = re.sub(r"\\f[BIRP]|\\f\[[A-Z]*\]", "", src)
    return s.replace("\\-", "-").replace("\\~", " ").replace("\\|", "")


# ---- every command has --help and rejects an unknown option ----

def test_every_command_has_help(helps):
    for cmd, text in helps.items():
        assert "-h, --help" in text, f"mcsim {cmd} --help does not list -h, --help"


def test_every_dispatched_command_is_listed(commands):
    """cli/main.cpp dispatches exactly the commands that `mcsim --help` lists."""
    dispatched = re.findall(r'if \(cmd == "([a-z][a-z0-9-]*)"\) return', (ROOT / "cli" / "main.cpp").read_text())
    assert sorted(dispatched) == sorted(commands), f"dispatched {sorted(dispatched)}, listed {sorted(commands)}"


def test_unknown_option_is_a_usage_error(mcsim_bin, commands):
    for cmd in commands:
        r = run(mcsim_bin, cmd, "--bogus")
        assert r.returncode == 2, f"mcsim {cmd} --bogus: exit {r.returncode}"
        first = r.stderr.splitlines()[0]
        assert first.startswith(f"mcsim {cmd}: unknown option '--bogus'"), first
        assert f"usage: mcsim {cmd}" in r.stderr or f"mcsim {cmd} --help" in r.stderr, r.stderr
        assert r.stdout == ""


def test_unknown_command_and_no_command(mcsim_bin):
    r = run(mcsim_bin, "bogus")
    assert r.returncode == 2
    assert r.stderr.startswith("mcsim: unknown command 'bogus'\nusage: mcsim <command>")
    r = run(mcsim_bin)
    assert (r.returncode, r.stdout) == (2, "")
    assert r.stderr.startswith("usage: mcsim <command>")
    r = run(mcsim_bin, "--version")
    assert r.returncode == 0 and re.fullmatch(r"mcsim \d+\.\d+\.\d+\n", r.stdout), r.stdout


# ---- docs/cli.md ----

def test_cli_md_documents_exactly_the_options(helps):
    text = CLI_MD.read_text(encoding="utf-8")
    doc = {}
    for head, body in sections(text, r"^## (.*)$").items():
        m = re.fullmatch(r"mcsim(?: ([a-z][a-z0-9-]*))?", head.strip())
        if m:
            doc[m.group(1)] = body
    assert options_of(doc[None]) == {"--help", "--version"}, "section '## mcsim' (global options)"
    for cmd, text in helps.items():
        assert cmd in doc, f"docs/cli.md has no section '## mcsim {cmd}'"
        want, got = options_of(text), options_of(doc[cmd])
        assert got == want, (f"docs/cli.md '## mcsim {cmd}': missing {sorted(want - got)}, "
                             f"not in --help {sorted(got - want)}")
    extra = set(doc) - set(helps) - {None}
    assert not extra, f"docs/cli.md documents commands mcsim --help does not list: {sorted(extra)}"


# ---- the man page ----

def test_man_page_documents_exactly_the_options(helps):
    src = man_plain(MAN.read_text(encoding="utf-8"))
    body = sections(src, r'^\.SS "mcsim ([a-z][a-z0-9-]*)"$')
    for name in body:  # a subsection ends at the next .SS or .SH
        body[name] = re.split(r"^\.S[SH] ", body[name], flags=re.M)[0]
    synopsis = src.split(".SH SYNOPSIS", 1)[1].split(".SH ", 1)[0]
    syn = {}
    for block in synopsis.split(".SY mcsim")[1:]:
        m = re.match(r"\s*\.B ([a-z][a-z0-9-]*)\n", block)
        if m:
            syn[m.group(1)] = block
    for cmd, text in helps.items():
        want = options_of(text) - {"--help"}  # -h/--help is in OPTIONS, once for all
        assert cmd in body, f"docs/mcsim.1 has no subsection .SS \"mcsim {cmd}\""
        got = options_of(body[cmd]) - {"--help"}
        assert got == want, f"mcsim.1 'mcsim {cmd}': missing {sorted(want - got)}, not in --help {sorted(got - want)}"
        assert cmd in syn, f"docs/mcsim.1 SYNOPSIS has no line for {cmd}"
        got = options_of(syn[cmd])
        assert got == want, f"mcsim.1 SYNOPSIS {cmd}: missing {sorted(want - got)}, not in --help {sorted(got - want)}"
        syn_values = {o: set(v.split("|")) for o, v in re.findall(r"(--[a-z][a-z0-9-]*)\n?\.?B? ([a-z0-9|]+\|[a-z0-9]+)",
                                                                 syn[cmd])}
        assert syn_values == usage_values(text), f"mcsim.1 SYNOPSIS {cmd}: option values differ from the usage line"
    assert set(body) == set(helps), f"mcsim.1 subsections {sorted(body)} vs commands {sorted(helps)}"


def test_man_page_renders_without_warnings():
    assert shutil.which("groff"), "groff not installed (scripts/setup.sh installs groff-base)"
    r = run("groff", "-man", "-Tutf8", "-ww", "-z", MAN)
    assert (r.returncode, r.stderr) == (0, ""), r.stderr
    assert shutil.which("mandoc"), "mandoc not installed (scripts/setup.sh installs it)"
    r = run("mandoc", "-T", "lint", "-W", "style", MAN)
    assert (r.returncode, r.stdout + r.stderr) == (0, ""), r.stdout + r.stderr
    assert shutil.which("man"), "man not installed (scripts/setup.sh installs man-db)"
    r = run("man", "-l", MAN, env={**os.environ, "MANPAGER": "cat", "MANWIDTH": "80"})
    assert r.returncode == 0, r.stderr
    assert re.search(r"^MCSIM\(1\) +User Commands +MCSIM\(1\)$", r.stdout, re.M), r.stdout[:200]
    assert "mcsim run FILE [--seed N]" in r.stdout


# ---- bash completion, in a real bash with bash-completion ----

def complete(words, cwd=None):
    """COMPREPLY of _mcsim for the command line `words` (the last one is being completed)."""
    assert BASH_COMPLETION.exists(), "bash-completion not installed (scripts/setup.sh installs it)"
    script = (f"source {BASH_COMPLETION}; source {COMPLETION}\n"
              'COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1))\n'
              'COMP_LINE="${COMP_WORDS[*]}"; COMP_POINT=${#COMP_LINE}; COMPREPLY=()\n'
              '_mcsim mcsim "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"\n'
              'printf "%s\\n" "${COMPREPLY[@]}"\n')
    r = run("bash", "--norc", "--noprofile", "-c", script, "bash", *words, cwd=cwd)
    assert r.returncode == 0, r.stderr
    assert r.stderr == "", r.stderr
    return {w for w in r.stdout.split("\n") if w}


def test_completion_commands(commands):
    assert complete(["mcsim", ""]) == set(commands) | {"--help", "--version"}
    assert complete(["mcsim", "de"]) == {"decode"}


def test_completion_options_match_help(helps):
    for cmd, text in helps.items():
        got = complete(["mcsim", cmd, "--"])
        assert got == options_of(text), f"completion of 'mcsim {cmd} --': {sorted(got)} vs --help {sorted(options_of(text))}"


def test_completion_values_match_usage(helps):
    seen = set()
    for cmd, text in helps.items():
        for opt, vals in usage_values(text).items():
            seen.add(opt)
            assert complete(["mcsim", cmd, opt, ""]) == vals, f"mcsim {cmd} {opt}"
    assert {"--format", "--profile", "--role", "--filter"} <= seen
    assert complete(["mcsim", "decode", "x.pcap", "--format", "j"]) == {"jsonl"}


def test_completion_files(tmp_path):
    for f in ["a.yaml", "b.pcap", "c.pcapng", "d.txt", "e.html", "f.jsonl"]:
        (tmp_path / f).write_text("")
    (tmp_path / "sub").mkdir()
    assert complete(["mcsim", "run", ""], cwd=tmp_path) == {"a.yaml", "sub"}
    assert complete(["mcsim", "check", ""], cwd=tmp_path) == {"a.yaml", "sub"}
    assert complete(["mcsim", "live", "--iface", "eth0", ""], cwd=tmp_path) == {"a.yaml", "sub"}
    assert complete(["mcsim", "decode", ""], cwd=tmp_path) == {"b.pcap", "c.pcapng", "sub"}
    assert complete(["mcsim", "validate", "--role", "host", ""], cwd=tmp_path) == {"b.pcap", "c.pcapng", "sub"}
    assert complete(["mcsim", "compare", "b.pcap", ""], cwd=tmp_path) == {"b.pcap", "c.pcapng", "f.jsonl", "sub"}
    assert complete(["mcsim", "run", "a.yaml", "--html", ""], cwd=tmp_path) == {"e.html", "sub"}
    assert complete(["mcsim", "run", "a.yaml", "--pcap-dir", ""], cwd=tmp_path) == {"sub"}
    assert complete(["mcsim", "run", "a.yaml", "--seed", ""], cwd=tmp_path) == set()
