/* PostgreSQL connection helpers shared by the programs: connect from the
 * config with a one-line error, check results, and single-line messages. */
#ifndef CRMX_DB_H
#define CRMX_DB_H

#include <stdbool.h>
#include <stddef.h>

#include <libpq-fe.h>

#include "config.h"

/* Connects with cfg's conninfo (empty: PG* environment), sets
 * application_name and the statement timeout.  Returns NULL and a one-line
 * reason in err on failure.  The caller PQfinish()es the connection. */
PGconn *db_connect(const struct crmx_config *cfg, const char *conninfo,
                   const char *appname, char *err, size_t errlen);

/* A second connection with the same parameters as conn (its server,
 * database, user, application name, options); NULL when it cannot be
 * made (logged at debug level). */
PGconn *db_connect_like(PGconn *conn);

/* PQerrorMessage() flattened to one line, in a buffer of the calling
 * thread (thread-local: valid until that thread's next call). */
const char *db_errmsg(const PGconn *conn);

/* Runs a parameterless command (BEGIN, COMMIT, SET, SELECT lock(...)),
 * discarding any rows; logs and returns -1
 * on failure. */
int db_command(PGconn *conn, const char *sql);

/* Runs one command with n $n parameters (text; NULL for SQL NULL) that
 * returns no rows; logs "db: context: message" and returns -1 on failure. */
int db_command_params(PGconn *conn, const char *sql, int n, const char *const *params,
                      const char *context);

/* Checks a result; logs "context: message" and PQclear()s it on failure.
 * Returns the result (still owned by the caller) or NULL. */
PGresult *db_check(PGconn *conn, PGresult *res, ExecStatusType want, const char *context);

/* True when the connection is gone (so the caller reconnects and, for a
 * request, answers 503). */
bool db_is_down(const PGconn *conn);

/* A deadline for the server's answers, for programs that must not hang on
 * a stalled server (SIGSTOPped, a frozen VM, a cut network with no reset):
 * the server's statement timeout cannot fire there, and libpq waits
 * forever.  ms <= 0: none (the default). */
void db_set_reply_timeout(int ms);

/* PQgetResult() that waits at most the reply timeout for the server.  On
 * expiry the connection is shut (it reads as lost: PQstatus() is
 * CONNECTION_BAD) and NULL is returned, as at the end of the results. */
PGresult *db_get_result(PGconn *conn);

/* 1 when a reply timeout ran out since the last call (and clears it). */
int db_take_reply_timeout(void);

/* After PQsend*(): the last result of the statement, as PQexec() gives
 * it, within the reply timeout (NULL when it ran out or the connection
 * was lost). */
PGresult *db_exec_result(PGconn *conn);

/* Session advisory locks on (class, key), as reportd's instances take them
 * (a report's day, a requested run, a run in progress): db_try_lock gives
 * 1 when taken, 0 when another session holds it, -1 on error (logged with
 * what). */
int db_try_lock(PGconn *conn, long cls, long long key, const char *what);
void db_unlock(PGconn *conn, long cls, long long key);

/* Column number by name; aborts on a missing column (a programming error:
 * the SQL and the code disagree). */
int db_col(const PGresult *res, const char *name);

/* The value or NULL for SQL NULL. */
const char *db_val(const PGresult *res, int row, int col);

#endif
