/* imt_db.c - opening the curation SQLite database with WAL, busy timeout and sync settings. */
#include "config.h"
#include "imt.h"
#include "imt_db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

sqlite3 *imt_db_open(const char *path, enum imt_db_mode mode, imt_error *err)
{
  sqlite3 *db = NULL;
  int flags = mode == IMT_DB_READ ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  int rc;
  if (!path || !*path) {
    imt_error_set(err, IMT_ERR_INVALID, "no database path: set --db PATH or IMTERM_DB");
    return NULL;
  }
  /* each connection is used by one thread at a time (the owner holds a lock) */
  rc = sqlite3_open_v2(path, &db, flags | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc != SQLITE_OK) {
    imt_error_set(err, rc == SQLITE_NOMEM ? IMT_ERR_NOMEM : IMT_ERR_IO, "%s: cannot open database: %s", path,
                  db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    sqlite3_close(db);
    return NULL;
  }
  sqlite3_busy_timeout(db, IMT_DB_BUSY_MS);
  sqlite3_extended_result_codes(db, 1);
  if (mode != IMT_DB_READ) {
    if (imt_db_exec(db, "PRAGMA journal_mode=WAL", err) ||
        imt_db_exec(db, mode == IMT_DB_WRITE_FULL ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL", err)) {
      char msg[sizeof err->message];
      snprintf(msg, sizeof msg, "%s", err ? err->message : "");
      imt_error_set(err, IMT_ERR_IO, "%s: %s", path, msg);
      sqlite3_close(db);
      return NULL;
    }
  }
  return db;
}

int imt_db_exec(sqlite3 *db, const char *sql, imt_error *err)
{
  char *msg = NULL;
  int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
  if (rc != SQLITE_OK) {
    imt_error_set(err, rc == SQLITE_NOMEM ? IMT_ERR_NOMEM : IMT_ERR_IO, "database error (%s): %s", sql,
                  msg ? msg : sqlite3_errstr(rc));
    sqlite3_free(msg);
    return rc;
  }
  return 0;
}

char *imt_db_col_dup(sqlite3_stmt *st, int col)
{
  const unsigned char *t = sqlite3_column_text(st, col);
  return imt_strdup(t ? (const char *)t : "");
}
