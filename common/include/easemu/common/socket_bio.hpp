#pragma once
// An OpenSSL socket BIO whose writes never raise SIGPIPE.
//
// SSL_set_fd gives OpenSSL the stock socket BIO, which writes with write(2): a peer that has
// reset the connection then kills the whole process with SIGPIPE (issue 16: a phone losing its
// radio mid-response took the lab down). This BIO is the stock one except that it sends with
// send(2) and MSG_NOSIGNAL, so the write fails with EPIPE instead. Servers also ignore SIGPIPE
// process-wide (ignore_sigpipe); this BIO keeps a library user safe without that.
#include <openssl/types.h>

namespace easemu::common {

// A new BIO on `fd` (not closed when the BIO is freed: the caller owns the socket), or nullptr
// when OpenSSL cannot allocate one. Pass it to SSL_set_bio(ssl, bio, bio).
[[nodiscard]] BIO* new_socket_bio(int fd);

// SIGPIPE ignored for the whole process, as servers do: a write to a closed socket anywhere
// (a library, a pipe to a child) fails with EPIPE instead of ending the process.
void ignore_sigpipe();

}  // namespace easemu::common
