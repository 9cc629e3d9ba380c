#include <sqlite3.h>

#include <mutex>
#include <unordered_map>
#include <vector>

#include "easemu/store/journal_view.hpp"
#include "easemu/store/store.hpp"

namespace easemu::store {

namespace {

struct migration {
  int version;
  const char* sql;
};

// Append only: a released migration never changes. The schema version is PRAGMA user_version.
constexpr migration migrations[] = {
    {1, R"sql(
      CREATE TABLE devices (
        mailbox          TEXT NOT NULL COLLATE NOCASE,
        device_id        TEXT NOT NULL COLLATE NOCASE,
        device_type      TEXT NOT NULL,
        user_agent       TEXT NOT NULL,
        protocol_version TEXT NOT NULL,
        first_seen_ms    INTEGER NOT NULL,
        last_seen_ms     INTEGER NOT NULL,
        PRIMARY KEY (mailbox, device_id)
      );
    )sql"},
    {2, R"sql(
      CREATE TABLE journal (
        id               INTEGER PRIMARY KEY AUTOINCREMENT,
        time_ms          INTEGER NOT NULL,
        user             TEXT NOT NULL COLLATE NOCASE,
        device_id        TEXT NOT NULL COLLATE NOCASE,
        device_type      TEXT NOT NULL,
        command          TEXT NOT NULL COLLATE NOCASE,
        protocol_version TEXT NOT NULL,
        http_status      INTEGER NOT NULL,
        eas_status       INTEGER NOT NULL,
        duration_ms      INTEGER NOT NULL,
        request_xml      TEXT NOT NULL,
        response_xml     TEXT NOT NULL
      );
      CREATE INDEX journal_by_time ON journal (time_ms);
    )sql"},
    {3, R"sql(
      CREATE TABLE mailboxes (
        address            TEXT PRIMARY KEY COLLATE NOCASE,
        display_name       TEXT NOT NULL,
        password           TEXT NOT NULL,
        policy             TEXT NOT NULL,
        activesync_enabled INTEGER NOT NULL
      );
      CREATE TABLE policies (
        name       TEXT PRIMARY KEY COLLATE NOCASE,
        position   INTEGER NOT NULL,
        parameters TEXT NOT NULL
      );
      CREATE TABLE lab_state (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );
    )sql"},
    {4, R"sql(
      ALTER TABLE devices ADD COLUMN pending_key INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE devices ADD COLUMN policy_key INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE devices ADD COLUMN policy_hash TEXT NOT NULL DEFAULT '';
      ALTER TABLE devices ADD COLUMN policy_name TEXT NOT NULL DEFAULT '';
      ALTER TABLE devices ADD COLUMN policy_status INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE devices ADD COLUMN last_policy_ms INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE devices ADD COLUMN wipe_requested_ms INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE devices ADD COLUMN wipe_sent_ms INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE devices ADD COLUMN wipe_ack_ms INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE devices ADD COLUMN wipe_account_only INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE devices ADD COLUMN wipe_failed INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE devices ADD COLUMN wipe_requestor TEXT NOT NULL DEFAULT '';
      ALTER TABLE devices ADD COLUMN model TEXT NOT NULL DEFAULT '';
      ALTER TABLE devices ADD COLUMN imei TEXT NOT NULL DEFAULT '';
      ALTER TABLE devices ADD COLUMN friendly_name TEXT NOT NULL DEFAULT '';
      ALTER TABLE devices ADD COLUMN os TEXT NOT NULL DEFAULT '';
      ALTER TABLE devices ADD COLUMN os_language TEXT NOT NULL DEFAULT '';
      ALTER TABLE devices ADD COLUMN phone_number TEXT NOT NULL DEFAULT '';
      ALTER TABLE devices ADD COLUMN mobile_operator TEXT NOT NULL DEFAULT '';
    )sql"},
    {5, R"sql(
      CREATE TABLE folders (
        mailbox      TEXT NOT NULL COLLATE NOCASE,
        position     INTEGER NOT NULL,
        server_id    TEXT NOT NULL,
        parent_id    TEXT NOT NULL,
        display_name TEXT NOT NULL,
        type         INTEGER NOT NULL,
        PRIMARY KEY (mailbox, server_id)
      );
      CREATE TABLE hierarchy_state (
        mailbox        TEXT NOT NULL COLLATE NOCASE,
        device_id      TEXT NOT NULL COLLATE NOCASE,
        sync_key       INTEGER NOT NULL,
        known          TEXT NOT NULL,
        previous_key   INTEGER NOT NULL,
        previous_known TEXT NOT NULL,
        PRIMARY KEY (mailbox, device_id)
      );
    )sql"},
    {6, R"sql(
      CREATE TABLE items (
        mailbox     TEXT NOT NULL COLLATE NOCASE,
        item_id     TEXT NOT NULL,
        folder_id   TEXT NOT NULL,
        version     INTEGER NOT NULL,
        received_ms INTEGER NOT NULL,
        read        INTEGER NOT NULL,
        flag        INTEGER NOT NULL,
        mime        BLOB NOT NULL,
        PRIMARY KEY (mailbox, item_id)
      );
      CREATE INDEX items_by_folder ON items (mailbox, folder_id, received_ms);
      CREATE TABLE collection_state (
        mailbox        TEXT NOT NULL COLLATE NOCASE,
        device_id      TEXT NOT NULL COLLATE NOCASE,
        collection_id  TEXT NOT NULL,
        sync_key       INTEGER NOT NULL,
        known          TEXT NOT NULL,
        previous_key   INTEGER NOT NULL,
        previous_known TEXT NOT NULL,
        PRIMARY KEY (mailbox, device_id, collection_id)
      );
    )sql"},
    {7, R"sql(
      ALTER TABLE devices ADD COLUMN access_state TEXT NOT NULL DEFAULT '';
      ALTER TABLE devices ADD COLUMN access_reason TEXT NOT NULL DEFAULT '';
      ALTER TABLE devices ADD COLUMN access_rule TEXT NOT NULL DEFAULT '';
    )sql"},
    {8, R"sql(
      ALTER TABLE journal ADD COLUMN request_headers TEXT NOT NULL DEFAULT '';
      ALTER TABLE journal ADD COLUMN response_headers TEXT NOT NULL DEFAULT '';
    )sql"},
    // The bodies as WBXML, rendered as XML when read; older rows keep their XML and empty blobs.
    {9, R"sql(
      ALTER TABLE journal ADD COLUMN request_wbxml BLOB NOT NULL DEFAULT x'';
      ALTER TABLE journal ADD COLUMN response_wbxml BLOB NOT NULL DEFAULT x'';
    )sql"},
    // Calendar, contact, task and note items keep their properties (mailbox/pim.hpp) next to
    // the mail items' MIME; a device's Supported list per collection (MS-ASCMD 2.2.3.179).
    {10, R"sql(
      ALTER TABLE items ADD COLUMN properties BLOB NOT NULL DEFAULT x'';
      CREATE TABLE collection_supported (
        mailbox       TEXT NOT NULL COLLATE NOCASE,
        device_id     TEXT NOT NULL COLLATE NOCASE,
        collection_id TEXT NOT NULL,
        supported     TEXT NOT NULL,
        PRIMARY KEY (mailbox, device_id, collection_id)
      );
    )sql"},
};

// Policy parameters as text: one "name\tvalue" per line (names and values never hold tabs or
// line breaks; the lab file loader refuses them).
std::string join_parameters(const std::vector<std::pair<std::string, std::string>>& params) {
  std::string out;
  for (const auto& [k, v] : params) out += k + "\t" + v + "\n";
  return out;
}

std::vector<std::pair<std::string, std::string>> split_parameters(const std::string& text) {
  std::vector<std::pair<std::string, std::string>> out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const auto nl = text.find('\n', pos);
    const auto line = text.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    const auto tab = line.find('\t');
    if (tab != std::string::npos) out.emplace_back(line.substr(0, tab), line.substr(tab + 1));
    if (nl == std::string::npos) break;
    pos = nl + 1;
  }
  return out;
}


// Prepared statements kept per SQL text: parsing SQL was a third of a no-change FolderSync's
// cost. Used under the store's mutex only.
class statement_cache {
 public:
  ~statement_cache() { clear(); }
  void attach(sqlite3* db) { db_ = db; }
  void clear() {
    for (auto& [sql, free] : free_) {
      for (auto* s : free) sqlite3_finalize(s);
    }
    free_.clear();
  }
  sqlite3* db() const { return db_; }
  sqlite3_stmt* take(const char* sql) {
    auto it = free_.find(sql);
    if (it != free_.end() && !it->second.empty()) {
      auto* s = it->second.back();
      it->second.pop_back();
      return s;
    }
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db_, sql, -1, &s, nullptr) != SQLITE_OK) {
      throw store_error(std::string("SQL does not prepare: ") + sqlite3_errmsg(db_));
    }
    return s;
  }
  void give_back(sqlite3_stmt* s) {
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    free_[sqlite3_sql(s)].push_back(s);
  }

 private:
  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, std::vector<sqlite3_stmt*>> free_;
};

class statement {
 public:
  statement(statement_cache& cache, const char* sql) : cache_(cache), stmt_(cache.take(sql)) {}
  statement(statement_cache& cache, const std::string& sql) : statement(cache, sql.c_str()) {}
  ~statement() { cache_.give_back(stmt_); }
  statement(const statement&) = delete;
  statement& operator=(const statement&) = delete;

  statement& bind(int i, const std::string& v) {
    sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  statement& bind(int i, std::int64_t v) {
    sqlite3_bind_int64(stmt_, i, v);
    return *this;
  }
  statement& bind_blob(int i, std::string_view v) {
    // Never a null pointer: SQLite binds NULL for one, and the columns are NOT NULL.
    sqlite3_bind_blob(stmt_, i, v.empty() ? "" : v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  // true while there is a row
  bool step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw store_error(std::string("SQL step failed: ") + sqlite3_errmsg(sqlite3_db_handle(stmt_)));
  }
  std::string text(int col) const {
    const auto* p = sqlite3_column_text(stmt_, col);
    return p == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col)));
  }
  std::int64_t integer(int col) const { return sqlite3_column_int64(stmt_, col); }
  std::string blob(int col) const {
    const auto* p = static_cast<const char*>(sqlite3_column_blob(stmt_, col));
    return p == nullptr ? std::string() : std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col)));
  }
  sqlite3_stmt* handle() const { return stmt_; }

 private:
  statement_cache& cache_;
  sqlite3_stmt* stmt_ = nullptr;
};

void exec(sqlite3* db, const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err != nullptr ? err : "unknown error";
    sqlite3_free(err);
    throw store_error("SQL failed: " + msg);
  }
}

constexpr const char* device_columns =
    "mailbox, device_id, device_type, user_agent, protocol_version, first_seen_ms, last_seen_ms, pending_key, "
    "policy_key, policy_hash, policy_name, policy_status, last_policy_ms, wipe_requested_ms, wipe_sent_ms, "
    "wipe_ack_ms, wipe_account_only, wipe_failed, wipe_requestor, model, imei, friendly_name, os, os_language, "
    "phone_number, mobile_operator, access_state, access_reason, access_rule";

device_record read_device(const statement& s) {
  device_record d{s.text(0), s.text(1), s.text(2), s.text(3), s.text(4), s.integer(5), s.integer(6), {}, {}};
  auto& p = d.provisioning;
  p.pending_key = s.integer(7);
  p.policy_key = s.integer(8);
  p.policy_hash = s.text(9);
  p.policy_name = s.text(10);
  p.policy_status = static_cast<int>(s.integer(11));
  p.last_policy_ms = s.integer(12);
  p.wipe_requested_ms = s.integer(13);
  p.wipe_sent_ms = s.integer(14);
  p.wipe_ack_ms = s.integer(15);
  p.wipe_account_only = s.integer(16) != 0;
  p.wipe_failed = s.integer(17) != 0;
  p.wipe_requestor = s.text(18);
  d.information = {s.text(19), s.text(20), s.text(21), s.text(22), s.text(23), s.text(24), s.text(25)};
  d.access = {s.text(26), s.text(27), s.text(28)};
  return d;
}

class sqlite_store final : public store {
 public:
  explicit sqlite_store(const std::string& path) {
    const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX | SQLITE_OPEN_URI;
    if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
      std::string msg = db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory";
      sqlite3_close(db_);
      throw store_error("cannot open the database " + path + ": " + msg);
    }
    cache_.attach(db_);
    sqlite3_busy_timeout(db_, 5000);
    try {
      exec(db_, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;");
      migrate(path);
    } catch (const store_error& e) {
      // SQLite opens lazily: "unable to open database file" comes from the first statement and
      // names no file; the operator needs to know which one.
      cache_.clear();
      sqlite3_close(db_);
      db_ = nullptr;
      const std::string what = e.what();
      if (what.find(path) != std::string::npos) throw;
      throw store_error("cannot use the database " + path + ": " + what);
    }
  }
  ~sqlite_store() override {
    cache_.clear();
    sqlite3_close(db_);
  }

  int schema_version() const override {
    std::lock_guard lock(mutex_);
    statement s(cache_, "PRAGMA user_version");
    s.step();
    return static_cast<int>(s.integer(0));
  }

  device_record record_device_contact(const std::string& mailbox, const std::string& device_id,
                                      const std::string& device_type, const std::string& user_agent,
                                      const std::string& protocol_version, std::int64_t now_ms) override {
    std::lock_guard lock(mutex_);
    // The first contact fixes the device id's letter case and first_seen; later ones update the rest.
    statement up(cache_, "INSERT INTO devices (mailbox, device_id, device_type, user_agent, protocol_version, "
                      "first_seen_ms, last_seen_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6) "
                      "ON CONFLICT (mailbox, device_id) DO UPDATE SET device_type = excluded.device_type, "
                      "user_agent = excluded.user_agent, protocol_version = excluded.protocol_version, "
                      "last_seen_ms = excluded.last_seen_ms");
    up.bind(1, mailbox).bind(2, device_id).bind(3, device_type).bind(4, user_agent).bind(5, protocol_version).bind(6, now_ms);
    up.step();
    statement get(cache_, (std::string("SELECT ") + device_columns + " FROM devices WHERE mailbox = ?1 AND device_id = ?2").c_str());
    get.bind(1, mailbox).bind(2, device_id);
    if (!get.step()) throw store_error("device row vanished");
    return read_device(get);
  }

  std::optional<device_record> find_device(const std::string& mailbox, const std::string& device_id) const override {
    std::lock_guard lock(mutex_);
    statement get(cache_, (std::string("SELECT ") + device_columns + " FROM devices WHERE mailbox = ?1 AND device_id = ?2").c_str());
    get.bind(1, mailbox).bind(2, device_id);
    if (!get.step()) return std::nullopt;
    return read_device(get);
  }

  std::vector<device_record> list_devices(const std::optional<std::string>& mailbox) const override {
    std::lock_guard lock(mutex_);
    std::string sql = std::string("SELECT ") + device_columns + " FROM devices";
    if (mailbox) sql += " WHERE mailbox = ?1";
    sql += " ORDER BY mailbox, first_seen_ms, device_id";
    statement s(cache_, sql.c_str());
    if (mailbox) s.bind(1, *mailbox);
    std::vector<device_record> out;
    while (s.step()) out.push_back(read_device(s));
    return out;
  }

  void replace_mailboxes(const std::vector<mailbox_record>& mailboxes) override {
    std::lock_guard lock(mutex_);
    transaction([&] {
      exec(db_, "DELETE FROM mailboxes");
      statement ins(cache_, "INSERT INTO mailboxes (address, display_name, password, policy, activesync_enabled) "
                         "VALUES (?1, ?2, ?3, ?4, ?5)");
      for (const auto& m : mailboxes) {
        sqlite3_reset(ins.handle());
        ins.bind(1, m.address).bind(2, m.display_name).bind(3, m.password).bind(4, m.policy)
            .bind(5, std::int64_t{m.activesync_enabled ? 1 : 0});
        ins.step();
      }
      exec(db_, "DELETE FROM devices WHERE mailbox NOT IN (SELECT address FROM mailboxes)");
      exec(db_, "DELETE FROM hierarchy_state WHERE mailbox NOT IN (SELECT address FROM mailboxes)");
      exec(db_, "DELETE FROM collection_state WHERE mailbox NOT IN (SELECT address FROM mailboxes)");
      exec(db_, "DELETE FROM collection_supported WHERE mailbox NOT IN (SELECT address FROM mailboxes)");
    });
  }

  std::vector<mailbox_record> list_mailboxes() const override {
    std::lock_guard lock(mutex_);
    statement s(cache_, "SELECT address, display_name, password, policy, activesync_enabled FROM mailboxes ORDER BY address");
    std::vector<mailbox_record> out;
    while (s.step()) out.push_back({s.text(0), s.text(1), s.text(2), s.text(3), s.integer(4) != 0});
    return out;
  }

  void replace_policies(const std::vector<policy_record>& policies) override {
    std::lock_guard lock(mutex_);
    transaction([&] {
      exec(db_, "DELETE FROM policies");
      statement ins(cache_, "INSERT INTO policies (name, position, parameters) VALUES (?1, ?2, ?3)");
      std::int64_t position = 0;
      for (const auto& p : policies) {
        sqlite3_reset(ins.handle());
        ins.bind(1, p.name).bind(2, position++).bind(3, join_parameters(p.parameters));
        ins.step();
      }
    });
  }

  std::vector<policy_record> list_policies() const override {
    std::lock_guard lock(mutex_);
    statement s(cache_, "SELECT name, parameters FROM policies ORDER BY position");
    std::vector<policy_record> out;
    while (s.step()) out.push_back({s.text(0), split_parameters(s.text(1))});
    return out;
  }

  std::optional<std::string> get_lab_state(const std::string& key) const override {
    std::lock_guard lock(mutex_);
    statement s(cache_, "SELECT value FROM lab_state WHERE key = ?1");
    s.bind(1, key);
    if (!s.step()) return std::nullopt;
    return s.text(0);
  }

  void set_lab_state(const std::string& key, const std::string& value) override {
    std::lock_guard lock(mutex_);
    statement s(cache_, "INSERT INTO lab_state (key, value) VALUES (?1, ?2) "
                     "ON CONFLICT (key) DO UPDATE SET value = excluded.value");
    s.bind(1, key).bind(2, value);
    s.step();
  }

  std::vector<std::int64_t> append_journal(const std::vector<journal_entry>& entries) override {
    std::vector<std::int64_t> ids;
    if (entries.empty()) return ids;
    std::lock_guard lock(mutex_);
    transaction([&] {
      ids.clear();  // a retried transaction starts over
      statement ins(cache_, "INSERT INTO journal (time_ms, user, device_id, device_type, command, protocol_version, "
                         "http_status, eas_status, duration_ms, request_xml, response_xml, request_headers, "
                         "response_headers, request_wbxml, response_wbxml) "
                         "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)");
      for (const auto& e : entries) {
        sqlite3_reset(ins.handle());
        ins.bind(1, e.time_ms).bind(2, e.user).bind(3, e.device_id).bind(4, e.device_type).bind(5, e.command)
            .bind(6, e.protocol_version).bind(7, std::int64_t{e.http_status}).bind(8, std::int64_t{e.eas_status})
            .bind(9, e.duration_ms).bind(10, capped_journal_xml(e.request_xml)).bind(11, capped_journal_xml(e.response_xml))
            .bind(12, e.request_headers).bind(13, e.response_headers)
            .bind_blob(14, std::string_view(e.request_wbxml).substr(0, journal_wbxml_cap))
            .bind_blob(15, std::string_view(e.response_wbxml).substr(0, journal_wbxml_cap));
        ins.step();
        ids.push_back(sqlite3_last_insert_rowid(db_));
      }
      // Past the retention the oldest entries go (a range of the rowid: as many as were added).
      statement prune(cache_, "DELETE FROM journal WHERE id <= last_insert_rowid() - ?1");
      prune.bind(1, static_cast<std::int64_t>(retention_));
      prune.step();
    });
    return ids;
  }

  void set_journal_retention(std::size_t entries) override {
    std::lock_guard lock(mutex_);
    retention_ = std::max<std::size_t>(entries, 1);  // applied with the next append
  }

  std::vector<journal_entry> query_journal(const journal_filter& f) const override {
    std::lock_guard lock(mutex_);
    std::string sql =
        f.summary
            // A summary keeps only a fault's comment of the response (the text up to its "-->").
            ? "SELECT id, time_ms, user, device_id, device_type, command, protocol_version, http_status, eas_status, "
              "duration_ms, '', CASE WHEN substr(response_xml, 1, 18) = '<!-- easemu fault ' "
              "THEN substr(response_xml, 1, instr(response_xml, '-->') + 2) ELSE '' END, '', '', x'', x'' "
              "FROM journal WHERE 1 = 1"
            : "SELECT id, time_ms, user, device_id, device_type, command, protocol_version, http_status, eas_status, "
              "duration_ms, request_xml, response_xml, request_headers, response_headers, request_wbxml, "
              "response_wbxml FROM journal WHERE 1 = 1";
    if (f.user) sql += " AND user = ?1";
    if (f.device_id) sql += " AND device_id = ?2";
    if (f.command) sql += " AND command = ?3";
    if (f.since_ms) sql += " AND time_ms >= ?4";
    if (f.id) sql += " AND id = ?6";
    if (f.after_id) sql += " AND id > ?7";
    sql += " ORDER BY id DESC LIMIT ?5";
    statement s(cache_, sql.c_str());
    if (f.user) s.bind(1, *f.user);
    if (f.device_id) s.bind(2, *f.device_id);
    if (f.command) s.bind(3, *f.command);
    if (f.since_ms) s.bind(4, *f.since_ms);
    s.bind(5, static_cast<std::int64_t>(f.limit));
    if (f.id) s.bind(6, *f.id);
    if (f.after_id) s.bind(7, *f.after_id);
    std::vector<journal_entry> out;
    while (s.step()) {
      out.push_back({s.integer(0), s.integer(1), s.text(2), s.text(3), s.text(4), s.text(5), s.text(6),
                     static_cast<int>(s.integer(7)), static_cast<int>(s.integer(8)), s.integer(9), s.text(10),
                     s.text(11), s.text(12), s.text(13), s.blob(14), s.blob(15)});
    }
    return out;
  }

  bool update_device_provisioning(const std::string& mailbox, const std::string& device_id,
                                  const device_provisioning& p) override {
    std::lock_guard lock(mutex_);
    statement s(cache_,
                "UPDATE devices SET pending_key = ?3, policy_key = ?4, policy_hash = ?5, policy_name = ?6, "
                "policy_status = ?7, last_policy_ms = ?8, wipe_requested_ms = ?9, wipe_sent_ms = ?10, wipe_ack_ms = ?11, "
                "wipe_account_only = ?12, wipe_failed = ?13, wipe_requestor = ?14 WHERE mailbox = ?1 AND device_id = ?2");
    s.bind(1, mailbox).bind(2, device_id).bind(3, p.pending_key).bind(4, p.policy_key).bind(5, p.policy_hash);
    s.bind(6, p.policy_name).bind(7, std::int64_t{p.policy_status}).bind(8, p.last_policy_ms).bind(9, p.wipe_requested_ms);
    s.bind(10, p.wipe_sent_ms).bind(11, p.wipe_ack_ms).bind(12, std::int64_t{p.wipe_account_only ? 1 : 0});
    s.bind(13, std::int64_t{p.wipe_failed ? 1 : 0}).bind(14, p.wipe_requestor);
    s.step();
    return sqlite3_changes(db_) > 0;
  }

  bool update_device_information(const std::string& mailbox, const std::string& device_id,
                                 const device_information_record& i) override {
    std::lock_guard lock(mutex_);
    statement s(cache_,
                "UPDATE devices SET model = ?3, imei = ?4, friendly_name = ?5, os = ?6, os_language = ?7, "
                "phone_number = ?8, mobile_operator = ?9 WHERE mailbox = ?1 AND device_id = ?2");
    s.bind(1, mailbox).bind(2, device_id).bind(3, i.model).bind(4, i.imei).bind(5, i.friendly_name).bind(6, i.os);
    s.bind(7, i.os_language).bind(8, i.phone_number).bind(9, i.mobile_operator);
    s.step();
    return sqlite3_changes(db_) > 0;
  }

  bool update_device_access(const std::string& mailbox, const std::string& device_id,
                            const device_access_record& a) override {
    std::lock_guard lock(mutex_);
    statement s(cache_,
                "UPDATE devices SET access_state = ?3, access_reason = ?4, access_rule = ?5 "
                "WHERE mailbox = ?1 AND device_id = ?2");
    s.bind(1, mailbox).bind(2, device_id).bind(3, a.state).bind(4, a.reason).bind(5, a.rule);
    s.step();
    return sqlite3_changes(db_) > 0;
  }

  std::vector<folder_record> list_folders(const std::string& mailbox) const override {
    std::lock_guard lock(mutex_);
    statement s(cache_, "SELECT server_id, parent_id, display_name, type FROM folders WHERE mailbox = ?1 ORDER BY position");
    s.bind(1, mailbox);
    std::vector<folder_record> out;
    while (s.step()) out.push_back({s.text(0), s.text(1), s.text(2), static_cast<int>(s.integer(3))});
    return out;
  }

  void replace_folders(const std::string& mailbox, const std::vector<folder_record>& folders) override {
    std::lock_guard lock(mutex_);
    transaction([&] {
      statement del(cache_, "DELETE FROM folders WHERE mailbox = ?1");
      del.bind(1, mailbox);
      del.step();
      statement ins(cache_, "INSERT INTO folders (mailbox, position, server_id, parent_id, display_name, type) "
                         "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
      std::int64_t position = 0;
      for (const auto& f : folders) {
        sqlite3_reset(ins.handle());
        ins.bind(1, mailbox).bind(2, position++).bind(3, f.server_id).bind(4, f.parent_id).bind(5, f.display_name)
            .bind(6, std::int64_t{f.type});
        ins.step();
      }
    });
  }

  std::optional<hierarchy_record> find_hierarchy_state(const std::string& mailbox,
                                                       const std::string& device_id) const override {
    std::lock_guard lock(mutex_);
    statement s(cache_, "SELECT sync_key, known, previous_key, previous_known FROM hierarchy_state "
                     "WHERE mailbox = ?1 AND device_id = ?2");
    s.bind(1, mailbox).bind(2, device_id);
    if (!s.step()) return std::nullopt;
    return hierarchy_record{s.integer(0), s.text(1), s.integer(2), s.text(3)};
  }

  void save_hierarchy_state(const std::string& mailbox, const std::string& device_id,
                            const hierarchy_record& h) override {
    std::lock_guard lock(mutex_);
    statement s(cache_, "INSERT INTO hierarchy_state (mailbox, device_id, sync_key, known, previous_key, previous_known) "
                     "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (mailbox, device_id) DO UPDATE SET "
                     "sync_key = excluded.sync_key, known = excluded.known, previous_key = excluded.previous_key, "
                     "previous_known = excluded.previous_known");
    s.bind(1, mailbox).bind(2, device_id).bind(3, h.key).bind(4, h.known).bind(5, h.previous_key).bind(6, h.previous_known);
    s.step();
  }

  std::vector<item_summary> list_items(const std::string& mailbox, const std::string& folder_id) const override {
    std::lock_guard lock(mutex_);
    statement s(cache_, "SELECT item_id, version, received_ms FROM items WHERE mailbox = ?1 AND folder_id = ?2 "
                     "ORDER BY received_ms DESC, item_id DESC");
    s.bind(1, mailbox).bind(2, folder_id);
    std::vector<item_summary> out;
    while (s.step()) out.push_back({s.text(0), s.integer(1), s.integer(2)});
    return out;
  }

  std::optional<item_record> find_item(const std::string& mailbox, const std::string& item_id) const override {
    std::lock_guard lock(mutex_);
    statement s(cache_, "SELECT item_id, folder_id, version, received_ms, read, flag, mime, properties FROM items "
                     "WHERE mailbox = ?1 AND item_id = ?2");
    s.bind(1, mailbox).bind(2, item_id);
    if (!s.step()) return std::nullopt;
    return item_record{s.text(0), s.text(1), s.integer(2), s.integer(3), s.integer(4) != 0,
                       static_cast<int>(s.integer(5)), s.blob(6), s.blob(7)};
  }

  void put_items(const std::string& mailbox, const std::vector<item_record>& items) override {
    std::lock_guard lock(mutex_);
    transaction([&] {
      statement ins(cache_, "INSERT OR REPLACE INTO items (mailbox, item_id, folder_id, version, received_ms, read, flag, mime, "
                         "properties) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
      for (const auto& i : items) {
        sqlite3_reset(ins.handle());
        ins.bind(1, mailbox).bind(2, i.item_id).bind(3, i.folder_id).bind(4, i.version).bind(5, i.received_ms);
        ins.bind(6, std::int64_t{i.read ? 1 : 0}).bind(7, std::int64_t{i.flag});
        sqlite3_bind_blob(ins.handle(), 8, i.mime.data(), static_cast<int>(i.mime.size()), SQLITE_TRANSIENT);
        sqlite3_bind_blob(ins.handle(), 9, i.properties.data(), static_cast<int>(i.properties.size()), SQLITE_TRANSIENT);
        ins.step();
      }
    });
  }

  bool delete_item(const std::string& mailbox, const std::string& item_id) override {
    std::lock_guard lock(mutex_);
    statement s(cache_, "DELETE FROM items WHERE mailbox = ?1 AND item_id = ?2");
    s.bind(1, mailbox).bind(2, item_id);
    s.step();
    return sqlite3_changes(db_) > 0;
  }

  std::optional<hierarchy_record> find_collection_state(const std::string& mailbox, const std::string& device_id,
                                                        const std::string& collection_id) const override {
    std::lock_guard lock(mutex_);
    statement s(cache_, "SELECT sync_key, known, previous_key, previous_known FROM collection_state "
                     "WHERE mailbox = ?1 AND device_id = ?2 AND collection_id = ?3");
    s.bind(1, mailbox).bind(2, device_id).bind(3, collection_id);
    if (!s.step()) return std::nullopt;
    return hierarchy_record{s.integer(0), s.text(1), s.integer(2), s.text(3)};
  }

  void save_collection_state(const std::string& mailbox, const std::string& device_id, const std::string& collection_id,
                             const hierarchy_record& h) override {
    std::lock_guard lock(mutex_);
    statement s(cache_, "INSERT INTO collection_state (mailbox, device_id, collection_id, sync_key, known, previous_key, "
                     "previous_known) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (mailbox, device_id, collection_id) "
                     "DO UPDATE SET sync_key = excluded.sync_key, known = excluded.known, "
                     "previous_key = excluded.previous_key, previous_known = excluded.previous_known");
    s.bind(1, mailbox).bind(2, device_id).bind(3, collection_id).bind(4, h.key).bind(5, h.known);
    s.bind(6, h.previous_key).bind(7, h.previous_known);
    s.step();
  }

  std::optional<std::string> find_collection_supported(const std::string& mailbox, const std::string& device_id,
                                                       const std::string& collection_id) const override {
    std::lock_guard lock(mutex_);
    statement s(cache_, "SELECT supported FROM collection_supported WHERE mailbox = ?1 AND device_id = ?2 AND collection_id = ?3");
    s.bind(1, mailbox).bind(2, device_id).bind(3, collection_id);
    if (!s.step()) return std::nullopt;
    return s.text(0);
  }

  void save_collection_supported(const std::string& mailbox, const std::string& device_id, const std::string& collection_id,
                                 const std::optional<std::string>& supported) override {
    std::lock_guard lock(mutex_);
    if (!supported) {
      statement s(cache_, "DELETE FROM collection_supported WHERE mailbox = ?1 AND device_id = ?2 AND collection_id = ?3");
      s.bind(1, mailbox).bind(2, device_id).bind(3, collection_id);
      s.step();
      return;
    }
    statement s(cache_, "INSERT INTO collection_supported (mailbox, device_id, collection_id, supported) VALUES (?1, ?2, ?3, ?4) "
                     "ON CONFLICT (mailbox, device_id, collection_id) DO UPDATE SET supported = excluded.supported");
    s.bind(1, mailbox).bind(2, device_id).bind(3, collection_id).bind(4, *supported);
    s.step();
  }

  bool delete_device(const std::string& mailbox, const std::string& device_id) override {
    std::lock_guard lock(mutex_);
    statement s(cache_, "DELETE FROM devices WHERE mailbox = ?1 AND device_id = ?2");
    s.bind(1, mailbox).bind(2, device_id);
    s.step();
    const bool removed = sqlite3_changes(db_) > 0;
    // A removed partnership starts from scratch (PROVISIONING.md 5.4): its sync state goes too.
    for (const char* table : {"hierarchy_state", "collection_state", "collection_supported"}) {
      statement h(cache_, (std::string("DELETE FROM ") + table + " WHERE mailbox = ?1 AND device_id = ?2").c_str());
      h.bind(1, mailbox).bind(2, device_id);
      h.step();
    }
    return removed;
  }

 private:
  // Runs `body` inside BEGIN IMMEDIATE ... COMMIT; rolls back and rethrows on failure.
  template <class F>
  void transaction(F&& body) {
    exec(db_, "BEGIN IMMEDIATE");
    try {
      body();
      exec(db_, "COMMIT");
    } catch (...) {
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      throw;
    }
  }

  void migrate(const std::string& path) {
    statement v(cache_, "PRAGMA user_version");
    v.step();
    const int have = static_cast<int>(v.integer(0));
    const int want = current_schema_version();
    if (have > want) {
      throw store_error("the database " + path + " has schema version " + std::to_string(have) +
                        ", newer than this easemu (" + std::to_string(want) + "); use a newer easemu");
    }
    for (const auto& m : migrations) {
      if (m.version <= have) continue;
      transaction([&] {
        exec(db_, m.sql);
        exec(db_, ("PRAGMA user_version = " + std::to_string(m.version)).c_str());
      });
    }
  }

  sqlite3* db_ = nullptr;
  mutable statement_cache cache_;
  std::size_t retention_ = default_journal_retention;
  mutable std::mutex mutex_;
};

}  // namespace

int current_schema_version() { return migrations[std::size(migrations) - 1].version; }

std::unique_ptr<store> open_sqlite_store(const std::string& path) { return std::make_unique<sqlite_store>(path); }

std::unique_ptr<store> open_memory_store() { return std::make_unique<sqlite_store>(":memory:"); }

}  // namespace easemu::store
