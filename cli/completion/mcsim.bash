# bash completion for mcsim(1): commands, the options of each command, the values of
# --format/--profile/--role/--filter/--responses, scenario (.yaml) and capture (.pcap/.pcapng) file names.
# Installed as share/bash-completion/completions/mcsim (bash-completion loads it on first use).
# tests/py/test_cli_reference.py runs it in bash with bash-completion and checks every
# command's option list and value list against `mcsim CMD --help`.

_mcsim() {
    local cur prev words cword
    _init_completion || return

    local commands="run check decode validate live compare"
    if ((cword == 1)); then
        COMPREPLY=($(compgen -W "$commands --help --version" -- "$cur"))
        return
    fi

    local cmd=${words[1]}
    case $prev in
        --format)
            COMPREPLY=($(compgen -W "text jsonl" -- "$cur"))
            return
            ;;
        --profile)
            COMPREPLY=($(compgen -W "windows linux" -- "$cur"))
            return
            ;;
        --role)
            COMPREPLY=($(compgen -W "router host" -- "$cur"))
            return
            ;;
        --filter)
            COMPREPLY=($(compgen -W "igmp mld" -- "$cur"))
            return
            ;;
        --responses)
            COMPREPLY=($(compgen -W "state count exact" -- "$cur"))
            return
            ;;
        --html)
            _filedir html
            return
            ;;
        --svg)
            _filedir svg
            return
            ;;
        --pcap)
            _filedir pcap
            return
            ;;
        --pcap-dir)
            _filedir -d
            return
            ;;
        --iface)
            _available_interfaces -a
            return
            ;;
        --seed | --until | --svg-from | --svg-to | --svg-max | --max-memory | --duration | --rate | --exclude)
            return  # a number, a duration or an address: nothing to offer
            ;;
    esac

    local opts
    case $cmd in
        run) opts="--seed --profile --until --pcap-dir --format --html --svg --svg-from --svg-to --svg-max --max-memory --help" ;;
        check) opts="--profile --max-memory --help" ;;
        decode) opts="--format --filter --html --help" ;;
        validate) opts="--role --format --html --help" ;;
        live) opts="--iface --pcap --duration --rate --vlan --seed --profile --format --help" ;;
        compare) opts="--responses --queries --exclude --format --help" ;;
        *) return ;;
    esac

    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$opts" -- "$cur"))
        return
    fi
    case $cmd in
        run | check | live) _filedir yaml ;;
        decode | validate) _filedir '@(pcap|pcapng)' ;;
        compare) _filedir '@(pcap|pcapng|jsonl)' ;;
    esac
} &&
    complete -F _mcsim mcsim
