import CLibSSH2
import Transport

/// libssh2-backed transport.
package enum SSHTransportInfo {}
