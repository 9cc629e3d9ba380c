// Load client and baseline server for `easemu bench` (the simulator's second Asio translation unit).
#include "easemu/client/load.hpp"

#include <algorithm>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/experimental/as_tuple.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cmath>
#include <stdexcept>
#include <thread>

namespace easemu::client {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using clock_type = std::chrono::steady_clock;
constexpr auto use_tuple = net::experimental::as_tuple(net::use_awaitable);

std::uint32_t load_stats::percentile(double p) const {
  if (latency_us.empty()) return 0;
  std::vector<std::uint32_t> sorted = latency_us;
  std::sort(sorted.begin(), sorted.end());
  // Nearest rank.
  const auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
  return sorted[std::min(sorted.size() - 1, rank == 0 ? 0 : rank - 1)];
}

namespace {

using tls_stream = beast::ssl_stream<beast::tcp_stream>;

// What one connection measured; written by its own coroutine only, merged at the end.
struct slot {
  std::uint64_t failures = 0;
  std::vector<std::uint32_t> latency_us;
  std::map<int, std::uint64_t> statuses;
  clock_type::time_point answered_at{};
};

std::uint32_t micros(clock_type::duration d) {
  return static_cast<std::uint32_t>(std::chrono::duration_cast<std::chrono::microseconds>(d).count());
}

net::ssl::context client_context() {
  net::ssl::context ctx(net::ssl::context::tls_client);
  ctx.set_verify_mode(net::ssl::verify_none);
  return ctx;
}

net::awaitable<std::unique_ptr<tls_stream>> connect(const tcp::endpoint& ep, net::ssl::context& ctx) {
  auto ex = co_await net::this_coro::executor;
  auto s = std::make_unique<tls_stream>(ex, ctx);
  beast::get_lowest_layer(*s).expires_after(std::chrono::seconds(30));
  auto [cec] = co_await beast::get_lowest_layer(*s).async_connect(ep, use_tuple);
  if (cec) co_return nullptr;
  auto [hec] = co_await s->async_handshake(net::ssl::stream_base::client, use_tuple);
  if (hec) co_return nullptr;
  beast::get_lowest_layer(*s).expires_never();
  co_return s;
}

// Sends one request and reads its answer; the HTTP status, or 0 on a transport error.
net::awaitable<int> exchange(tls_stream& s, beast::flat_buffer& buffer, const std::string& request, bool& keep_alive) {
  auto [wec, wn] = co_await net::async_write(s, net::buffer(request), use_tuple);
  if (wec) co_return 0;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64u << 20);
  auto [rec, rn] = co_await http::async_read(s, buffer, parser, use_tuple);
  if (rec) co_return 0;
  keep_alive = parser.get().keep_alive();
  co_return parser.get().result_int();
}

tcp::endpoint endpoint_of(const load_target& t) {
  boost::system::error_code ec;
  const auto address = net::ip::make_address(t.host, ec);
  if (ec) throw std::runtime_error("the load target must be an IP address, not " + t.host);
  return {address, t.port};
}

load_stats merge(std::vector<slot>& slots) {
  load_stats out;
  for (auto& s : slots) {
    out.failures += s.failures;
    out.latency_us.insert(out.latency_us.end(), s.latency_us.begin(), s.latency_us.end());
    for (const auto& [k, v] : s.statuses) out.statuses[k] += v;
  }
  out.requests = out.latency_us.size();
  return out;
}

void run_threads(net::io_context& ioc, unsigned threads) {
  std::vector<std::thread> pool;
  for (unsigned i = 1; i < std::max(1u, threads); ++i) pool.emplace_back([&ioc] { ioc.run(); });
  ioc.run();
  for (auto& t : pool) t.join();
}

}  // namespace

load_stats run_load(const load_target& target, const std::vector<std::string>& requests, unsigned connections,
                    std::chrono::milliseconds duration, unsigned threads) {
  if (requests.empty() || connections == 0) return {};
  net::io_context ioc;
  auto ctx = client_context();
  const auto ep = endpoint_of(target);
  std::vector<slot> slots(connections);
  // Connections open during a warm-up second that is not counted.
  const auto measure_from = clock_type::now() + std::chrono::seconds(1);
  const auto measure_to = measure_from + duration;
  for (unsigned c = 0; c < connections; ++c) {
    auto run = [&, c]() -> net::awaitable<void> {
      auto& me = slots[c];
      const auto& request = requests[c % requests.size()];
      beast::flat_buffer buffer;
      std::unique_ptr<tls_stream> s;
      while (clock_type::now() < measure_to) {
        if (!s) {
          s = co_await connect(ep, ctx);
          if (!s) {
            ++me.failures;
            co_return;
          }
          buffer.clear();
        }
        bool keep_alive = false;
        const auto t0 = clock_type::now();
        const int status = co_await exchange(*s, buffer, request, keep_alive);
        const auto t1 = clock_type::now();
        if (status == 0) {
          ++me.failures;
          s.reset();
          continue;
        }
        if (t1 >= measure_from && t1 < measure_to) {
          me.latency_us.push_back(micros(t1 - t0));
          ++me.statuses[status];
        }
        if (!keep_alive) s.reset();
      }
    };
    net::co_spawn(net::make_strand(ioc), run, net::detached);
  }
  run_threads(ioc, threads);
  auto out = merge(slots);
  out.seconds = std::chrono::duration<double>(duration).count();
  return out;
}

load_stats hold_requests(const load_target& target, const std::vector<std::string>& requests, unsigned threads,
                         unsigned opening, std::chrono::milliseconds timeout,
                         const std::function<clock_type::time_point()>& while_held) {
  net::io_context ioc;
  auto work = net::make_work_guard(ioc);
  auto ctx = client_context();
  const auto ep = endpoint_of(target);
  const std::size_t total = requests.size();
  std::vector<slot> slots(total);
  std::vector<std::unique_ptr<tls_stream>> streams(total);
  std::atomic<std::size_t> next{0}, written{0}, finished{0};

  // Each worker opens connections one after another until all are open; each connection then
  // waits for its answer on its own.
  std::function<net::awaitable<void>(std::size_t)> wait_answer = [&](std::size_t i) -> net::awaitable<void> {
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(64u << 20);
    auto [ec, n] = co_await http::async_read(*streams[i], buffer, parser, use_tuple);
    slots[i].answered_at = clock_type::now();
    if (ec) {
      ++slots[i].failures;
    } else {
      ++slots[i].statuses[parser.get().result_int()];
    }
    ++finished;
  };
  auto opener = [&]() -> net::awaitable<void> {
    for (std::size_t i = next++; i < total; i = next++) {
      auto s = co_await connect(ep, ctx);
      bool ok = s != nullptr;
      if (ok) {
        auto [wec, wn] = co_await net::async_write(*s, net::buffer(requests[i]), use_tuple);
        ok = !wec;
      }
      if (!ok) {
        ++slots[i].failures;
        ++finished;
        ++written;
        continue;
      }
      streams[i] = std::move(s);
      ++written;
      net::co_spawn(streams[i]->get_executor(), wait_answer(i), net::detached);
    }
  };
  for (unsigned w = 0; w < std::max(1u, opening); ++w) net::co_spawn(net::make_strand(ioc), opener, net::detached);
  std::vector<std::thread> pool;
  for (unsigned i = 0; i < std::max(1u, threads); ++i) pool.emplace_back([&ioc] { ioc.run(); });

  while (written.load() < total) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  const auto released = while_held();
  const auto deadline = clock_type::now() + timeout;
  while (finished.load() < total && clock_type::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  // Connections still waiting are closed; their slots count as unanswered.
  for (auto& s : streams) {
    if (s) {
      net::post(s->get_executor(), [&s] { beast::get_lowest_layer(*s).close(); });
    }
  }
  work.reset();
  for (auto& t : pool) t.join();
  streams.clear();

  load_stats out;
  for (auto& s : slots) {
    if (s.statuses.empty()) {
      out.failures += s.failures;
      continue;
    }
    for (const auto& [k, v] : s.statuses) out.statuses[k] += v;
    out.latency_us.push_back(s.answered_at > released ? micros(s.answered_at - released) : 0);
  }
  out.requests = out.latency_us.size();
  out.seconds = std::chrono::duration<double>(clock_type::now() - released).count();
  return out;
}

struct baseline_server::impl {
  net::io_context ioc;
  net::ssl::context tls{net::ssl::context::tls_server};
  tcp::acceptor acceptor{ioc};
  std::string body;
  std::string content_type;
  std::vector<std::thread> threads;

  net::awaitable<void> session(tcp::socket socket) {
    beast::ssl_stream<beast::tcp_stream> s(std::move(socket), tls);
    beast::get_lowest_layer(s).expires_after(std::chrono::seconds(30));
    auto [hec] = co_await s.async_handshake(net::ssl::stream_base::server, use_tuple);
    if (hec) co_return;
    beast::flat_buffer buffer;
    for (;;) {
      beast::get_lowest_layer(s).expires_after(std::chrono::seconds(120));
      http::request<http::string_body> req;
      auto [ec, n] = co_await http::async_read(s, buffer, req, use_tuple);
      if (ec) co_return;
      http::response<http::string_body> res{http::status::ok, req.version()};
      res.set(http::field::server, "baseline");
      res.set(http::field::content_type, content_type);
      res.body() = body;
      res.keep_alive(req.keep_alive());
      res.prepare_payload();
      auto [wec, wn] = co_await http::async_write(s, res, use_tuple);
      if (wec || !res.keep_alive()) co_return;
    }
  }

  net::awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, socket] = co_await acceptor.async_accept(net::make_strand(ioc), use_tuple);
      if (ec) co_return;
      auto ex = socket.get_executor();
      net::co_spawn(ex, session(std::move(socket)), net::detached);
    }
  }
};

baseline_server::baseline_server(const std::string& certificate_pem, const std::string& key_pem, std::string body,
                                 std::string content_type, unsigned threads)
    : impl_(std::make_unique<impl>()) {
  impl_->body = std::move(body);
  impl_->content_type = std::move(content_type);
  impl_->tls.use_certificate_chain(net::buffer(certificate_pem));
  impl_->tls.use_private_key(net::buffer(key_pem), net::ssl::context::pem);
  const tcp::endpoint ep(net::ip::make_address("127.0.0.1"), 0);
  impl_->acceptor.open(ep.protocol());
  impl_->acceptor.set_option(net::socket_base::reuse_address(true));
  impl_->acceptor.bind(ep);
  impl_->acceptor.listen(net::socket_base::max_listen_connections);
  net::co_spawn(impl_->ioc, impl_->accept_loop(), net::detached);
  for (unsigned i = 0; i < std::max(1u, threads); ++i) impl_->threads.emplace_back([this] { impl_->ioc.run(); });
}

baseline_server::~baseline_server() {
  impl_->ioc.stop();
  for (auto& t : impl_->threads) t.join();
}

std::uint16_t baseline_server::port() const { return impl_->acceptor.local_endpoint().port(); }

}  // namespace easemu::client
