#ifndef PVEMEND_CLIBSSH2_SHIM_H
#define PVEMEND_CLIBSSH2_SHIM_H
#include <libssh2.h>
#include <libssh2_publickey.h>

// Swift cannot import libssh2's function-like macros; these static inline wrappers stand in for
// them (Swift imports and emits them like ordinary functions).

static inline LIBSSH2_SESSION *pvemend_session_init(void) {
  return libssh2_session_init_ex(NULL, NULL, NULL, NULL);
}

static inline int pvemend_session_disconnect(LIBSSH2_SESSION *session, const char *description) {
  return libssh2_session_disconnect_ex(session, SSH_DISCONNECT_BY_APPLICATION, description, "");
}

static inline LIBSSH2_CHANNEL *pvemend_channel_open_session(LIBSSH2_SESSION *session) {
  return libssh2_channel_open_ex(session, "session", sizeof("session") - 1,
                                 LIBSSH2_CHANNEL_WINDOW_DEFAULT, LIBSSH2_CHANNEL_PACKET_DEFAULT,
                                 NULL, 0);
}

static inline int pvemend_channel_exec(LIBSSH2_CHANNEL *channel, const char *command,
                                       unsigned int length) {
  return libssh2_channel_process_startup(channel, "exec", sizeof("exec") - 1, command, length);
}

static inline ssize_t pvemend_channel_read(LIBSSH2_CHANNEL *channel, char *buffer, size_t length) {
  return libssh2_channel_read_ex(channel, 0, buffer, length);
}

static inline ssize_t pvemend_channel_read_stderr(LIBSSH2_CHANNEL *channel, char *buffer,
                                                  size_t length) {
  return libssh2_channel_read_ex(channel, SSH_EXTENDED_DATA_STDERR, buffer, length);
}

static inline ssize_t pvemend_channel_write(LIBSSH2_CHANNEL *channel, const char *buffer,
                                            size_t length) {
  return libssh2_channel_write_ex(channel, 0, buffer, length);
}

static inline int pvemend_userauth_publickey_fromfile(LIBSSH2_SESSION *session,
                                                      const char *username,
                                                      unsigned int username_length,
                                                      const char *public_key,
                                                      const char *private_key,
                                                      const char *passphrase) {
  return libssh2_userauth_publickey_fromfile_ex(session, username, username_length, public_key,
                                                private_key, passphrase);
}

static inline int pvemend_hostkey_method_pref(LIBSSH2_SESSION *session, const char *preference) {
  return libssh2_session_method_pref(session, LIBSSH2_METHOD_HOSTKEY, preference);
}

static inline int pvemend_error_eagain(void) { return LIBSSH2_ERROR_EAGAIN; }
static inline int pvemend_block_inbound(void) { return LIBSSH2_SESSION_BLOCK_INBOUND; }
static inline int pvemend_block_outbound(void) { return LIBSSH2_SESSION_BLOCK_OUTBOUND; }

#endif
