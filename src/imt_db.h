/* imt_db.h - opening the curation SQLite database (miss log, proposals) with the project's
 * settings. Only services (imt_misslog.c, imt_proposals.c) include this; handlers never do. */
#ifndef IMT_DB_H
#define IMT_DB_H

#include <sqlite3.h>
#include "imt.h"

#define IMT_DB_BUSY_MS 10000   /* wait this long for another writer before SQLITE_BUSY */

enum imt_db_mode {
  IMT_DB_READ = 0,        /* read-only; fails when the file does not exist */
  IMT_DB_WRITE = 1,       /* read-write, created if absent, WAL, synchronous=NORMAL */
  IMT_DB_WRITE_FULL = 2   /* same with synchronous=FULL: every COMMIT is on disk when it returns */
};

/* Open path in the given mode with busy timeout, WAL (write modes) and foreign keys. Returns a
 * connection the caller closes with sqlite3_close, or NULL with err naming the path. */
sqlite3 *imt_db_open(const char *path, enum imt_db_mode mode, imt_error *err);
/* Run SQL without results; returns 0 or non-zero with err set (message names what failed). */
int imt_db_exec(sqlite3 *db, const char *sql, imt_error *err);
/* Copy of a column as a NUL-terminated string ("" for NULL); caller frees; NULL on OOM. */
char *imt_db_col_dup(sqlite3_stmt *st, int col);

#endif
