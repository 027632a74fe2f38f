// Shell completion scripts. All of them ask the plugin itself (`kubectl-mesh __complete -- …`,
// cobra's protocol), so completions never drift from the verbs and flags in the registry.
// bash/zsh/fish complete the `kubectl-mesh` command; `kubectl mesh <TAB>` goes through kubectl's
// own completion, which runs the `kubectl_complete-mesh` helper (pluginHelper below).

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

/** The file kubectl ≥ 1.26 looks for on PATH when completing `kubectl mesh …`. */
export const PLUGIN_HELPER_NAME = 'kubectl_complete-mesh';

/** kubectl passes the words after `mesh` (the last one being completed) and reads cobra's format back. */
export function pluginHelper(): string {
  return [
    '#!/bin/sh',
    '# Written by "kubectl mesh completion --kubectl-plugin". kubectl (1.26+) runs this file when',
    '# completing "kubectl mesh ..."; it asks the plugin, found on PATH like kubectl finds it.',
    'exec kubectl-mesh __complete -- "$@"',
    '',
  ].join('\n');
}

const bash = `# bash completion for kubectl-mesh                            -*- shell-script -*-
# Load it with:  source <(kubectl mesh completion bash)
# ("kubectl mesh <TAB>" itself needs: kubectl mesh completion --kubectl-plugin)
__kubectl_mesh_complete() {
    local line="\${COMP_LINE:0:COMP_POINT}" out directive cur
    local -a words
    # Split like the shell, but keep --flag=value in one word (COMP_WORDS would split at '=').
    read -r -a words <<< "$line"
    [[ "$line" =~ [[:space:]]$ ]] && words+=("")
    cur="\${words[\${#words[@]}-1]}"
    out=$(kubectl-mesh __complete -- "\${words[@]:1}" 2>/dev/null) || return
    directive="\${out##*:}"
    out="\${out%:*}"
    COMPREPLY=()
    local value
    while IFS= read -r value; do
        [[ -n "$value" ]] && COMPREPLY+=("\${value%%$'\\t'*}")
    done <<< "$out"
    [[ "$cur" == -*=* ]] && cur="\${cur#*=}"
    if (( directive & 8 )); then
        local -a exts=("\${COMPREPLY[@]}")
        COMPREPLY=()
        compopt -o filenames 2>/dev/null
        local f ext
        while IFS= read -r f; do
            if [[ -d "$f" ]]; then COMPREPLY+=("$f"); continue; fi
            for ext in "\${exts[@]}"; do [[ "$f" == *."$ext" ]] && COMPREPLY+=("$f") && break; done
        done < <(compgen -f -- "$cur")
        return
    fi
    if (( directive & 16 )); then
        compopt -o filenames 2>/dev/null
        COMPREPLY=($(compgen -d -- "$cur"))
        return
    fi
    if (( \${#COMPREPLY[@]} == 0 )) && ! (( directive & 4 )); then
        compopt -o default 2>/dev/null
        return
    fi
    (( directive & 2 )) && compopt -o nospace 2>/dev/null
    COMPREPLY=($(compgen -W "\${COMPREPLY[*]}" -- "$cur"))
}
complete -o nosort -F __kubectl_mesh_complete kubectl-mesh 2>/dev/null || complete -F __kubectl_mesh_complete kubectl-mesh
`;

const zsh = `#compdef kubectl-mesh
# zsh completion for kubectl-mesh
# Load it with:  source <(kubectl mesh completion zsh)   (after compinit)
# ("kubectl mesh <TAB>" itself needs: kubectl mesh completion --kubectl-plugin)
_kubectl_mesh() {
    local out directive cur prefix=""
    local -a lines candidates
    cur="\${words[CURRENT]}"
    out="$(kubectl-mesh __complete -- "\${(@)words[2,CURRENT]}" 2>/dev/null)" || return 1
    lines=("\${(@f)out}")
    directive="\${lines[-1]#:}"
    lines=("\${(@)lines[1,-2]}")
    if [[ "$cur" == -*=* ]]; then prefix="\${cur%%=*}="; fi
    if (( directive & 8 )); then
        local ext pattern=""
        for ext in "\${lines[@]}"; do pattern+="\${pattern:+|}*.$ext"; done
        _files -g "(\${pattern})"
        return
    fi
    if (( directive & 16 )); then _files -/; return; fi
    local line
    for line in "\${lines[@]}"; do
        [[ -z "$line" ]] && continue
        local value="\${line%%$'\\t'*}" desc=""
        [[ "$line" == *$'\\t'* ]] && desc="\${line#*$'\\t'}"
        candidates+=("\${value//:/\\\\:}\${desc:+:$desc}")
    done
    if (( \${#candidates} == 0 )); then
        (( directive & 4 )) || _files
        return
    fi
    local -a opts=(-V kubectl-mesh)
    [[ -n "$prefix" ]] && opts+=(-P "$prefix")
    (( directive & 2 )) && opts+=(-S '')
    _describe "kubectl-mesh" candidates "\${opts[@]}"
}
if [[ "$funcstack[1]" == "_kubectl_mesh" ]]; then
    _kubectl_mesh "$@"
else
    compdef _kubectl_mesh kubectl-mesh
fi
`;

const fish = `# fish completion for kubectl-mesh
# Load it with:  kubectl mesh completion fish | source
# ("kubectl mesh <TAB>" itself needs: kubectl mesh completion --kubectl-plugin)
function __kubectl_mesh_complete
    set -l args (commandline -opc)
    set -e args[1]
    set -l cur (commandline -ct)
    set -l out (kubectl-mesh __complete -- $args "$cur" 2>/dev/null)
    or return
    set -l directive (string replace -r '^:' '' -- $out[-1])
    set -e out[-1]
    set -l prefix ""
    if string match -q -- '-*=*' $cur
        set prefix (string replace -r -- '=.*' '=' $cur)
    end
    if test (math "bitand($directive, 8)") -ne 0; or test (math "bitand($directive, 16)") -ne 0
        __fish_complete_path (string replace -r -- '^-[^=]*=' '' $cur)
        return
    end
    if test (count $out) -eq 0; and test (math "bitand($directive, 4)") -eq 0
        __fish_complete_path (string replace -r -- '^-[^=]*=' '' $cur)
        return
    end
    for line in $out
        echo "$prefix$line"
    end
end
complete -c kubectl-mesh -f -a '(__kubectl_mesh_complete)'
`;

export function completionScript(shell: Shell): string {
  return { bash, zsh, fish }[shell];
}
