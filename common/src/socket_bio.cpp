#include "easemu/common/socket_bio.hpp"

#include <openssl/bio.h>
#include <sys/socket.h>

#include <cerrno>
#include <csignal>
#include <mutex>

namespace easemu::common {

namespace {

// The stock socket BIO's write, but with MSG_NOSIGNAL (send(2) on a socket is write(2) plus flags).
int nosignal_write(BIO* b, const char* data, int size) {
  int fd = -1;
  BIO_get_fd(b, &fd);
  errno = 0;
  const auto n = ::send(fd, data, static_cast<std::size_t>(size), MSG_NOSIGNAL);
  BIO_clear_retry_flags(b);
  if (n <= 0 && BIO_sock_should_retry(static_cast<int>(n))) BIO_set_retry_write(b);
  return static_cast<int>(n);
}

const BIO_METHOD* method() {
  static BIO_METHOD* m = nullptr;
  static std::once_flag once;
  std::call_once(once, [] {
    const BIO_METHOD* stock = BIO_s_socket();
    BIO_METHOD* own = BIO_meth_new(BIO_TYPE_SOCKET, "socket (MSG_NOSIGNAL)");
    if (own == nullptr) return;
    // Everything but the write is the stock socket BIO's: reads, BIO_set_fd/BIO_get_fd, the
    // close flag, flush and the rest of ctrl.
    if (BIO_meth_set_write(own, nosignal_write) != 1 || BIO_meth_set_read(own, BIO_meth_get_read(stock)) != 1 ||
        BIO_meth_set_puts(own, BIO_meth_get_puts(stock)) != 1 || BIO_meth_set_ctrl(own, BIO_meth_get_ctrl(stock)) != 1 ||
        BIO_meth_set_create(own, BIO_meth_get_create(stock)) != 1 ||
        BIO_meth_set_destroy(own, BIO_meth_get_destroy(stock)) != 1) {
      BIO_meth_free(own);
      return;
    }
    m = own;
  });
  return m;
}

}  // namespace

BIO* new_socket_bio(int fd) {
  const BIO_METHOD* m = method();
  if (m == nullptr) return nullptr;
  BIO* b = BIO_new(m);
  if (b == nullptr) return nullptr;
  BIO_set_fd(b, fd, BIO_NOCLOSE);
  return b;
}

void ignore_sigpipe() {
  struct sigaction sa {};
  sa.sa_handler = SIG_IGN;
  sigemptyset(&sa.sa_mask);
  ::sigaction(SIGPIPE, &sa, nullptr);
}

}  // namespace easemu::common
