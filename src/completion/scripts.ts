// The scripts `kubectl kd completion bash|zsh|fish` prints: shell glue for the standalone `kubectl-kd`
// command that asks `kubectl-kd __complete -- WORDS…` (Cobra's protocol, see candidates.ts), the way Cobra's
// own generated scripts do. `kubectl kd <TAB>` itself goes through kubectl, which runs kubectl_complete-kd.

export const SHELLS = ['bash', 'zsh', 'fish'] as const
export type Shell = (typeof SHELLS)[number]

const bash = (prog: string, fn: string) => `# bash completion for ${prog}                          -*- shell-script -*-
# Load it with:  source <(${prog} completion bash)
# (\`kubectl kd <TAB>\` needs kubectl's own completion and kubectl_complete-kd on PATH instead.)
${fn}() {
    local cur words cword
    if declare -F _get_comp_words_by_ref >/dev/null 2>&1; then
        _get_comp_words_by_ref -n =: cur words cword
    else
        cur=\${COMP_WORDS[COMP_CWORD]}; words=("\${COMP_WORDS[@]}"); cword=$COMP_CWORD
    fi
    local out directive line
    out=$("\${words[0]}" __complete -- "\${words[@]:1:cword-1}" "$cur" 2>/dev/null) || return
    directive=\${out##*:}
    out=\${out%:*}
    if (( directive & 1 )); then return; fi
    COMPREPLY=()
    while IFS='' read -r line; do
        [ -n "$line" ] || continue
        line=\${line%%$'\\t'*}
        case $line in "$cur"*) COMPREPLY+=("$line") ;; esac
    done <<<"$out"
    if (( directive & 2 )) && declare -F compopt >/dev/null 2>&1; then compopt -o nospace; fi
    if (( \${#COMPREPLY[@]} == 0 )) && ! (( directive & 4 )); then
        if (( directive & 16 )); then COMPREPLY=($(compgen -d -- "$cur"))
        else COMPREPLY=($(compgen -f -- "$cur")); fi
    fi
    # --output=js<TAB>: readline replaces only what follows the last '=' or ':', so drop that prefix
    local lead=\${cur%\"\${cur##*[=:]}\"} i
    if [ -n "$lead" ]; then for i in "\${!COMPREPLY[@]}"; do COMPREPLY[i]=\${COMPREPLY[i]#"$lead"}; done; fi
}
complete -o default -F ${fn} ${prog}
`

const zsh = (prog: string, fn: string) => `#compdef ${prog}
# zsh completion for ${prog}. Load it with:  source <(${prog} completion zsh)
# (\`kubectl kd <TAB>\` needs kubectl's own completion and kubectl_complete-kd on PATH instead.)
${fn}() {
    local out directive line value desc
    local -a lines completions
    out=$("\${words[1]}" __complete -- "\${(@)words[2,$CURRENT]}" 2>/dev/null) || return 1
    lines=("\${(@f)out}")
    directive=\${lines[-1]#:}
    lines=("\${(@)lines[1,-2]}")
    (( directive & 1 )) && return 1
    for line in $lines; do
        [[ -n $line ]] || continue
        value=\${line%%$'\\t'*}
        if [[ $line == *$'\\t'* ]]; then desc=\${line#*$'\\t'}; completions+=("\${value//:/\\\\:}:$desc")
        else completions+=("\${value//:/\\\\:}"); fi
    done
    if (( \${#completions} > 0 )); then
        if (( directive & 2 )); then _describe -t completions 'completions' completions -S ''
        else _describe -t completions 'completions' completions; fi
    elif (( directive & 16 )); then _files -/
    elif ! (( directive & 4 )); then _files
    fi
}
if [ "$funcstack[1]" = "${fn}" ]; then ${fn} "$@"; else compdef ${fn} ${prog}; fi
`

const fish = (prog: string, fn: string) => `# fish completion for ${prog}. Load it with:  ${prog} completion fish | source
# (\`kubectl kd <TAB>\` needs kubectl's own completion and kubectl_complete-kd on PATH instead.)
function ${fn}
    set -l args (commandline -opc)[2..-1] (commandline -ct)
    set -l out (${prog} __complete -- $args 2>/dev/null)
    or return
    set -l directive (string replace -r '^:' '' -- $out[-1])
    set -e out[-1]
    if test (math "bitand($directive, 1)") -ne 0
        return
    end
    if test (count $out) -gt 0
        printf '%s\\n' $out
    else if test (math "bitand($directive, 4)") -eq 0
        __fish_complete_path (commandline -ct)
    end
end
complete -c ${prog} -f -a '(${fn})'
`

/** The completion script for `shell`, for the command named `prog` (kubectl-kd). */
export function completionScript(shell: Shell, prog = 'kubectl-kd'): string {
  const fn = `__${prog.replace(/[^A-Za-z0-9]/g, '_')}_complete`
  return {bash, zsh, fish}[shell](prog, fn)
}
