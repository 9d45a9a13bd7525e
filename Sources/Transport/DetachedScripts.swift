import PVEModel

/// The three constant POSIX sh scripts behind `DetachedExecution`. Each runs as
/// `sh -c SCRIPT NAME ARGS…`: the arguments arrive positionally (quoted by `ShellQuoting` like any
/// argv), so no name, path or argument is ever pasted into script text.
///
/// Node-side layout, one folder per command: `<root>/<run>/<command>/` with `argv` (the argv,
/// NUL-separated), `pid` (the wrapper's pid), `log` (stdout and stderr of the command) and `status`
/// (written atomically when it ends: the exit status, plus the signal's name for 129–192).
///
/// Control lines go to the script's stderr as `pvemend-detach WORD …`, the command's log to its
/// stdout byte for byte: the two never mix, so the client counts log bytes exactly (its offset for
/// re-attaching) and never mistakes output for a frame.
package enum DetachedScripts {
  /// `follow DIR OFFSET`: prints the log from OFFSET until `status` exists, then the end frame;
  /// a `lost` frame when the wrapper died without a status; `alive` every ~5 s of silence (a dead
  /// connection then ends the loop by SIGPIPE instead of leaving it polling).
  static let follow = #"""
    follow() {
      d=$1 off=$2 quiet=0 nopid=0 polls=0
      while :; do
        if [ -e "$d/status" ]; then fin=1; else fin=0; fi
        size=$(wc -c < "$d/log" 2>/dev/null || echo 0)
        size=$((size + 0))
        if [ "$size" -gt "$off" ]; then
          tail -c +$((off + 1)) "$d/log" | head -c $((size - off)) || exit 141
          off=$size quiet=0
        fi
        if [ "$fin" = 1 ]; then
          echo "pvemend-detach end $(cat "$d/status")" >&2
          exit 0
        fi
        pid=$(cat "$d/pid" 2>/dev/null)
        if [ -z "$pid" ]; then
          nopid=$((nopid + 1))
          if [ "$nopid" -ge 50 ]; then echo "pvemend-detach lost none" >&2; exit 0; fi
        elif ! kill -0 "$pid" 2>/dev/null; then
          sleep 1
          [ -e "$d/status" ] && continue
          echo "pvemend-detach lost $pid" >&2
          exit 0
        fi
        quiet=$((quiet + 1))
        if [ "$quiet" -ge 35 ]; then echo "pvemend-detach alive" >&2 || exit 141; quiet=0; fi
        # Short commands end within the first polls: look every 50 ms for half a second.
        polls=$((polls + 1))
        if [ "$polls" -le 10 ]; then nap=0.05; else nap=0.2; fi
        sleep "$nap" 2>/dev/null || sleep 1
      done
    }

    """#

  /// `sh -c LAUNCH pvemend-detach ROOT RUN COMMAND -- ARGV…` (mutating): creates the command's
  /// folder with one `mkdir` (it exists → `refused`, exit 3: a command never runs twice), records
  /// the argv, starts it with `setsid` (own session, no terminal, stdin /dev/null, output to `log`,
  /// `status` written when it ends), then follows the log.
  package static let launch =
    follow + #"""
      umask 077
      root=$1 run=$2 cmd=$3
      shift 4
      d=$root/$run/$cmd
      mkdir -p "$root/$run" 2>/dev/null
      if ! mkdir "$d" 2>/dev/null; then
        if [ -e "$d" ]; then echo "pvemend-detach refused $d" >&2; exit 3; fi
        echo "pvemend-detach error cannot create $d" >&2
        exit 2
      fi
      printf '%s\0' "$@" > "$d/argv"
      : > "$d/log"
      setsid sh -c '
      d=$1
      shift
      echo $$ > "$d/pid.tmp" && mv "$d/pid.tmp" "$d/pid"
      "$@" < /dev/null >> "$d/log" 2>&1
      rc=$?
      s=$rc
      if [ "$rc" -gt 128 ]; then n=$(kill -l "$rc" 2>/dev/null) && s="$rc $n"; fi
      echo "$s" > "$d/status.tmp" && mv "$d/status.tmp" "$d/status"
      ' pvemend-run "$d" "$@" < /dev/null > /dev/null 2>&1 &
      echo "pvemend-detach started $!" >&2
      follow "$d" 0

      """#

  /// `sh -c ATTACH pvemend-attach ROOT RUN COMMAND OFFSET` (read-only): follows the log from a
  /// byte offset until `status` exists; `never-started` when the folder does not exist.
  package static let attach =
    follow + #"""
      d=$1/$2/$3
      if [ ! -d "$d" ]; then echo "pvemend-detach never-started" >&2; exit 0; fi
      echo "pvemend-detach attached" >&2
      follow "$d" "$4"

      """#

  /// `sh -c STATUS pvemend-status ROOT RUN COMMAND` (read-only): one look, on stdout:
  /// `pvemend-detach state never-started|starting|running PID|lost PID|finished STATUS`, the log's
  /// size, and the last UPID the log names.
  package static let status = #"""
    d=$1/$2/$3
    if [ ! -d "$d" ]; then echo "pvemend-detach state never-started"; exit 0; fi
    size=$(wc -c < "$d/log" 2>/dev/null || echo 0)
    echo "pvemend-detach size $((size + 0))"
    upid=$(grep -a -o 'UPID:[^[:space:]]*' "$d/log" 2>/dev/null | tail -n 1)
    if [ -n "$upid" ]; then echo "pvemend-detach upid $upid"; fi
    if [ -e "$d/status" ]; then echo "pvemend-detach state finished $(cat "$d/status")"; exit 0; fi
    pid=$(cat "$d/pid" 2>/dev/null)
    if [ -z "$pid" ]; then echo "pvemend-detach state starting"; exit 0; fi
    if kill -0 "$pid" 2>/dev/null; then echo "pvemend-detach state running $pid"; exit 0; fi
    sleep 1
    if [ -e "$d/status" ]; then echo "pvemend-detach state finished $(cat "$d/status")"; exit 0; fi
    echo "pvemend-detach state lost $pid"

    """#

  static let launchName = "pvemend-detach"
  static let attachName = "pvemend-attach"
  static let statusName = "pvemend-status"

  /// Whether argv is the attach or status script (exact text and name): read-only.
  package static func isReadOnly(_ argv: [String]) -> Bool {
    guard argv.count >= 4, argv[0] == "sh", argv[1] == "-c" else { return false }
    return (argv[2] == attach && argv[3] == attachName)
      || (argv[2] == status && argv[3] == statusName)
  }

  /// Whether argv is the launcher (mutating).
  package static func isLaunch(_ argv: [String]) -> Bool {
    argv.count >= 8 && argv[0] == "sh" && argv[1] == "-c" && argv[2] == launch
      && argv[3] == launchName && argv[7] == "--"
  }

  /// The command a launcher argv starts (for fakes and displays).
  package static func launchedArgv(_ argv: [String]) -> [String]? {
    isLaunch(argv) ? Array(argv.dropFirst(8)) : nil
  }
}
