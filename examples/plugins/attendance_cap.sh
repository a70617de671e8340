#!/bin/sh
# A vakt plugin (protocol 1, docs/plugins.md) in POSIX shell, to show the protocol is
# language-neutral: no JSON library, only the shell's own string handling.
#
# Kind `attendance-cap` (code CAP001): a number above `max` (sessions attended, say) is worth a
# warning. One column; params { max = N }. Use it in a pack:
#
#   [[plugin]]
#   name = "cap"
#   command = ["sh", "plugins/attendance_cap.sh"]    # relative to the pack's folder
#
#   [[table.check]]            # in the patients table
#   kind = "attendance-cap"
#   columns = ["sessions_attended"]
#   params = { max = 150 }
#
# vakt writes one message per line, each `rows` item as {"row":N,"values":[V]}; the matching
# below relies on that, and on the one column's values being whole numbers or null.

# The digits after "key": in a line.
number_after() {
    rest=${1#*\"$2\":}
    [ "$rest" = "$1" ] && return 1
    printf '%s' "${rest%%[!0-9]*}"
}

rules=""   # "rule:max:column;" for each compiled rule
streams="" # "stream:rule;" for each open stream

while IFS= read -r line; do
    case $line in
    *'"type":"hello"'*)
        printf '%s\n' '{"type":"hello","protocol":1,"kinds":[{"name":"attendance-cap","code":"CAP001","summary":"A count above the maximum the pack sets.","doc":"One column; params { max = N }. Reported as a warning at the cell."}]}'
        ;;
    *'"type":"compile"'*)
        rule=$(number_after "$line" rule)
        if max=$(number_after "$line" max) && [ -n "$max" ]; then
            column=${line#*\"columns\":[\"}
            column=${column%%\"*}
            rules="$rules$rule:$max:$column;"
            printf '{"type":"compiled","rule":%s}\n' "$rule"
        else
            printf '{"type":"error","rule":%s,"message":"params need max = N, a whole number"}\n' "$rule"
        fi
        ;;
    *'"type":"begin"'*)
        streams="$streams$(number_after "$line" stream):$(number_after "$line" rule);"
        ;;
    *'"type":"rows"'*)
        stream=$(number_after "$line" stream)
        rule=${streams#*"$stream":}; rule=${rule%%;*}
        entry=${rules#*"$rule":}; max=${entry%%:*}; column=${entry#*:}; column=${column%%;*}
        found=""
        rest=${line#*\"rows\":[}
        while [ "${rest#*\{\"row\":}" != "$rest" ]; do
            rest=${rest#*\{\"row\":}
            row=${rest%%,*}
            value=${rest#*\"values\":[}
            value=${value%%]*}
            if [ "$value" != null ] && [ "$value" -gt "$max" ] 2>/dev/null; then
                item="{\"row\":$row,\"column\":\"$column\",\"code\":\"CAP001\",\"severity\":\"warning\",\"message\":\"$value is above the maximum $max\"}"
                found=${found:+$found,}$item
            fi
        done
        printf '{"type":"findings","stream":%s,"findings":[%s]}\n' "$stream" "$found"
        ;;
    *'"type":"end"'*)
        printf '{"type":"findings","stream":%s,"findings":[]}\n' "$(number_after "$line" stream)"
        ;;
    *'"type":"bye"'*)
        exit 0
        ;;
    esac
done
