/// Read batches: ONE remote command that reads many `pvesh get` paths (run in parallel on the node)
/// and guest config files under `/etc/pve`, printing a framed stream.
///
/// The command is always `["sh", "-c", ClusterRead.script, "pvemend-read", <parallelism>, items…]`:
/// the script is a constant (recognised, by exact match, as read-only by `ReadOnlyCommands`), and
/// every path, node name and VMID is a positional argument, quoted only by `ShellQuoting`; the
/// script checks each one and never evaluates it, so a hostile name cannot inject a command.
///
/// Items (arguments after the parallelism):
/// - `get PATH`: `pvesh get PATH --output-format json` (PATH starts with `/`).
/// - `getc PATH TYPE`: `pvesh get PATH --content TYPE --output-format json` (a storage's content
///   of one type, e.g. `backup`; TYPE is lower-case letters only).
/// - `conf KIND VMID NODE`: every `/etc/pve/nodes/*/<qemu-server|lxc>/VMID.conf`; when none exists,
///   `pvesh get /nodes/NODE/KIND/VMID/config --output-format json` instead.
/// - `confs`: every `/etc/pve/nodes/*/qemu-server/*.conf` and `/etc/pve/nodes/*/lxc/*.conf`, plus a
///   `dir` record for `/etc/pve/nodes` (status 0 when it could be read, else the reason).
///
/// Output (`pvemend-read/1`), all records first, then the payloads in record order:
/// ```
/// pvemend-read/1 <records>
/// <type> <status> <bytes> <name>        one line per record: type get|file|dir
/// <payload bytes of record 1><payload of record 2>…
/// pvemend-read/1 end
/// ```
/// A `get` record's payload is pvesh's stdout when its status is 0, else its stderr (kept for the
/// error message); a `file` record's payload is the file's bytes, copied to a private temporary
/// directory first (so its length and bytes agree), which is removed when the script exits.
/// The pvesh calls run through `xargs -0 -P` (GNU and busybox xargs), which waits for them with a
/// blocking `waitpid`: dash's `wait` builtin hangs when the parent blocked SIGCHLD.
/// Names never contain a newline (such files are skipped); `confs` reads only `<digits>.conf`. pvesh calls run at most
/// `<parallelism>` at a time.
package enum ClusterRead {
  /// The format word on the first and last line.
  package static let formatWord = "pvemend-read/1"
  /// `$0` of the script (shown by `ps` on the node).
  package static let scriptName = "pvemend-read"

  /// One thing to read.
  package enum Item: Sendable, Hashable {
    /// `pvesh get <path> --output-format json`.
    case get(String)
    /// `pvesh get <path> --content <type> --output-format json` (a storage content listing).
    case getContent(String, content: String)
    /// The config file of one guest, wherever it is under `/etc/pve/nodes`; pvesh on `node` when
    /// no file exists.
    case guestConfig(kind: GuestKind, vmid: Int, node: String)
    /// Every guest config file under `/etc/pve/nodes`.
    case allGuestConfigs

    var arguments: [String] {
      switch self {
      case .get(let path): ["get", path]
      case .getContent(let path, let content): ["getc", path, content]
      case .guestConfig(let kind, let vmid, let node): ["conf", kind.rawValue, String(vmid), node]
      case .allGuestConfigs: ["confs"]
      }
    }
  }

  /// One read-only command for `items` on `node`. However long, it stays one command: a transport
  /// sends an exec string beyond libssh2's limit on stdin (`sh -s`).
  package static func command(_ items: [Item], on node: String, parallelism: Int = 4)
    -> RemoteCommand
  {
    RemoteCommand(
      node: node,
      argv: ["sh", "-c", script, scriptName, String(max(1, parallelism))]
        + items.flatMap(\.arguments),
      mutating: false)
  }

  /// Whether `argv` is a read batch (the script, verbatim).
  package static func isReadBatch(_ argv: [String]) -> Bool {
    argv.count >= 5 && argv[0] == "sh" && argv[1] == "-c" && argv[2] == script
      && argv[3] == scriptName
  }

  /// The POSIX sh script (dash, bash, busybox sh). Arguments: parallelism, then items.
  package static let script = #"""
    set -u
    nl="
    "
    fail() { echo "pvemend-read: $*" >&2; exit 64; }
    case ${1:-} in ""|*[!0-9]*) fail "parallelism '${1:-}' is not a number";; esac
    par=$1; shift
    d=$(mktemp -d "${TMPDIR:-/tmp}/pvemend-read.XXXXXX") || exit 70
    trap 'cd /; rm -rf "$d"' EXIT
    trap 'exit 143' HUP INT TERM
    cd "$d" || exit 70
    : >toc; : >jobs
    k=0
    get() {
      case $1 in /*) ;; *) fail "path '$1' does not start with /";; esac
      case $1 in *"$nl"*) fail "a path contains a newline";; esac
      case ${2-} in *[!a-z]*) fail "content type '$2' is not a word";; esac
      k=$((k+1))
      printf '%s\0%s\0%s\0' "$k" "$1" "${2:--}" >>jobs
      printf 'get %s %s\n' "$k" "$1" >>toc
    }
    dirof() { case $1 in qemu) echo qemu-server;; lxc) echo lxc;; *) fail "kind '$1' is not qemu or lxc";; esac; }
    conf() {
      case $2 in ""|*[!0-9]*) fail "vmid '$2' is not a number";; esac
      case $3 in ""|*/*|*"$nl"*) fail "node '$3' is not a node name";; esac
      sub=$(dirof "$1") || exit 64
      found=0
      for f in /etc/pve/nodes/*/"$sub/$2.conf"; do
        [ -f "$f" ] || continue
        case $f in *"$nl"*) continue;; esac
        k=$((k+1))
        if cat -- "$f" >"f$k" 2>/dev/null; then printf 'file f%s %s\n' "$k" "$f" >>toc; found=1; fi
      done
      [ "$found" = 1 ] || get "/nodes/$3/$1/$2/config"
    }
    confs() {
      if [ -d /etc/pve/nodes ] && [ -r /etc/pve/nodes ] && [ -x /etc/pve/nodes ]; then
        printf 'dir 0 /etc/pve/nodes\n' >>toc
      else
        echo "cannot read /etc/pve/nodes (not a Proxmox node, pmxcfs not mounted, or no permission)" >dir.e
        printf 'dir 1 /etc/pve/nodes\n' >>toc
        return 0
      fi
      for nd in /etc/pve/nodes/*/; do
        [ -d "$nd" ] || continue
        case $nd in *"$nl"*) continue;; esac
        for sub in qemu-server lxc; do
          set -- "$nd$sub"/[0-9]*.conf
          [ -e "$1" ] || continue
          k=$((k+1)); mkdir "c$k" || exit 70
          cp -- "$@" "c$k/" 2>/dev/null
          for f; do
            case $f in *"$nl"*) continue;; esac
            b=${f##*/}
            case ${b%.conf} in *[!0-9]*) continue;; esac
            [ -f "c$k/$b" ] && printf 'file c%s/%s %s\n' "$k" "$b" "$f" >>toc
          done
        done
      done
    }
    while [ $# -gt 0 ]; do
      case $1 in
        get) [ $# -ge 2 ] || fail "get needs a path"; get "$2" ""; shift 2;;
        getc) [ $# -ge 3 ] || fail "getc needs a path and a content type"; get "$2" "$3"; shift 3;;
        conf) [ $# -ge 4 ] || fail "conf needs kind, vmid and node"; conf "$2" "$3" "$4"; shift 4;;
        confs) confs; shift;;
        *) fail "unknown item '$1'";;
      esac
    done
    # xargs waits with a blocking waitpid: no reliance on SIGCHLD (which a parent may have blocked).
    if [ -s jobs ]; then
      xargs -0 -n 3 -P "$par" sh -c 'if [ "$3" != - ]; then pvesh get "$2" --content "$3" --output-format json; else pvesh get "$2" --output-format json; fi >"o$1" 2>"e$1" </dev/null; echo $? >"s$1"' sh <jobs
    fi
    : >list
    emit() {
      set --
      while read -r t a name; do
        case $t in
          get) st=255; read -r st 2>/dev/null <"s$a"
               if [ "$st" = 0 ]; then p="o$a"; else p="e$a"; fi;;
          file) st=0; p=$a;;
          dir) st=$a; p=dir.e; [ -f dir.e ] || : >dir.e;;
        esac
        printf '%s %s %s\n' "$t" "$st" "$name" >>list
        set -- "$@" "$p"
      done <toc
      n=$(wc -l <list)
      echo "pvemend-read/1 $((n+0))"
      if [ $# -gt 0 ]; then
        wc -c -- "$@" >sizes
        while read -r t st name <&3 && read -r sz _ <&4; do
          printf '%s %s %s %s\n' "$t" "$st" "$sz" "$name"
        done 3<list 4<sizes
        cat -- "$@"
      fi
      echo "pvemend-read/1 end"
    }
    emit
    """#
}
