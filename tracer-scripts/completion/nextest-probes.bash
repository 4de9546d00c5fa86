# bash completion for nextest-probes (installed as
# $(PREFIX)/share/bash-completion/completions/nextest-probes).
_nextest_probes() {
    local cur prev sub i
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD-1]}
    if [ "$COMP_CWORD" -eq 1 ]; then
        COMPREPLY=($(compgen -W "run trace perfetto capture top list lib scripts --help --version" -- "$cur"))
        return
    fi
    sub=${COMP_WORDS[1]}
    for ((i = 2; i < COMP_CWORD; i++)); do
        if [ "${COMP_WORDS[i]}" = -- ]; then   # the command: complete it as bash would
            COMPREPLY=($(compgen -c -- "$cur"))
            return
        fi
    done
    case $prev in
        --source) COMPREPLY=($(compgen -W "shim native both" -- "$cur")); return ;;
        -o|--events-out|--runner) COMPREPLY=($(compgen -f -- "$cur")); return ;;
        -e|--param|--interval) return ;;
    esac
    case $sub in
        trace)
            if [[ $cur == -* ]]; then
                COMPREPLY=($(compgen -W "-e --param --source --runner --as-root --help --" -- "$cur"))
            else
                COMPREPLY=($(compgen -W "$(nextest-probes scripts 2>/dev/null)" -- "$cur") $(compgen -f -X '!*.bt' -- "$cur"))
            fi ;;
        perfetto) COMPREPLY=($(compgen -W "-o --live --events-out --source --runner --as-root --help --" -- "$cur")) ;;
        capture) COMPREPLY=($(compgen -W "-o --source --runner --as-root --help --" -- "$cur")) ;;
        top) COMPREPLY=($(compgen -W "--interval --source --runner --as-root --help --" -- "$cur")) ;;
        run) COMPREPLY=($(compgen -W "--as-root --help --" -- "$cur")) ;;
        list) COMPREPLY=($(compgen -c -- "$cur")) ;;
    esac
}
complete -F _nextest_probes nextest-probes
