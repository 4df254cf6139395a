/**
 * Reading what a statement failed with: `effect/sql`'s `SqlError`, whose `reason` classifies the
 * failure (`ConnectionError`, `SerializationError`, `StatementTimeoutError`, …) and whose reason's
 * `cause` is the driver's error: the server's error, carrying PostgreSQL's SQLSTATE `code` and
 * message, or — when the socket failed (refused, reset, a host not found) — Node's system error,
 * whose `code` is an errno name such as `ECONNREFUSED` and is never reported as a SQLSTATE. The
 * store layers turn it into the port's `StoreError`, keeping it as the `cause`.
 *
 * @internal
 */
import { EventStore } from "@chronicle/runtime"
import { Effect } from "effect"
import { SqlError } from "effect/sql"
import type { SqlClient } from "effect/sql"

/** What each kind of failure means for the caller, as the start of a `StoreError`'s reason. */
const meaning: Record<SqlError.SqlErrorReason["_tag"], string> = {
  ConnectionError: "PostgreSQL could not be reached or the connection was lost",
  AuthenticationError: "PostgreSQL refused the credentials",
  AuthorizationError: "the database role lacks a privilege",
  SqlSyntaxError: "PostgreSQL rejected the statement",
  UniqueViolation: "a unique constraint was violated",
  ConstraintError: "a constraint was violated",
  DeadlockError: "a deadlock was detected (retrying may succeed)",
  SerializationError: "a serialization failure: a concurrent transaction conflicted (retrying may succeed)",
  LockTimeoutError: "a lock was not granted in time (lock_timeout)",
  StatementTimeoutError: "the statement was cancelled (statement_timeout or a cancel request)",
  UnknownError: "PostgreSQL failed"
}

const field = (value: unknown, name: string): string | undefined => {
  const found = typeof value === "object" && value !== null ? (value as Record<string, unknown>)[name] : undefined
  return typeof found === "string" ? found : undefined
}

/**
 * A failure of the connection's socket, as Node reports it: `code` is an errno name
 * (`ECONNREFUSED`, `ENOTFOUND`…), not a SQLSTATE, and `syscall` is the call that failed.
 */
interface SocketFailure {
  readonly code: string
  readonly syscall: string
  /** What the call was about: `host:port` for a connection, the host name for a lookup. */
  readonly target: string | undefined
}

const socketFailureOf = (cause: unknown): SocketFailure | undefined => {
  const code = field(cause, "code")
  const syscall = field(cause, "syscall")
  if (code === undefined || syscall === undefined) return undefined
  const address = field(cause, "address")
  const port = (cause as { readonly port?: unknown }).port
  const target = address === undefined
    ? field(cause, "hostname")
    : typeof port === "number" ? `${address}:${port}` : address
  return { code, syscall, target }
}

/**
 * The socket failures of `cause`: one, or one per address tried when a host name has several
 * (Node then reports an `AggregateError` with an empty message and the attempts in `errors`);
 * none when `cause` is not a socket failure.
 */
const socketFailuresOf = (cause: unknown): ReadonlyArray<SocketFailure> => {
  const attempts = typeof cause === "object" && cause !== null ? (cause as { readonly errors?: unknown }).errors : undefined
  const each = Array.isArray(attempts) ? attempts : [cause]
  return each.flatMap((attempt) => socketFailureOf(attempt) ?? [])
}

/** The socket failures a connection meets, in words. */
const socketMeaning: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ECONNRESET: "connection reset by the server or the network",
  ECONNABORTED: "connection aborted",
  ETIMEDOUT: "connection timed out",
  EPIPE: "connection closed while writing",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  EADDRNOTAVAIL: "address not available",
  ENOTFOUND: "host not found",
  EAI_AGAIN: "host name lookup failed for now"
}

const describeSocket = (failures: ReadonlyArray<SocketFailure>): string =>
  failures.map(({ code, syscall, target }) =>
    `${socketMeaning[code] ?? "socket failure"}: ${syscall}${target === undefined ? "" : ` ${target}`} (${code})`
  ).join("; ")

// Five digits or upper-case letters: a SQLSTATE, as the server sends it in an ErrorResponse.
const sqlStateShape = /^[0-9A-Z]{5}$/

/**
 * PostgreSQL's SQLSTATE code for a failed statement, when the server sent one — never the errno
 * name of a socket failure, which the driver also puts in `code`.
 */
export const sqlStateOf = (error: SqlError.SqlError): string | undefined => {
  const cause = error.reason.cause
  const code = field(cause, "code")
  return code !== undefined && sqlStateShape.test(code) && socketFailuresOf(cause).length === 0 ? code : undefined
}

// Server shutdown and crash (57P01–57P03) end the session like a dropped connection;
// `too_many_connections` (53300) passes too.
const transientStates = /^(08|57P0[123]|53300)/

/** Whether trying the same operation again later may succeed. */
export const isTransient = (error: SqlError.SqlError): boolean =>
  error.isRetryable || transientStates.test(sqlStateOf(error) ?? "")

/**
 * A short human reading of a failure, for the `reason` of a `StoreError`: what it means, then
 * the server's message and SQLSTATE, or what the socket met and its errno name.
 */
export const describe = (error: SqlError.SqlError): string => {
  const state = sqlStateOf(error)
  const what = state?.startsWith("57P") ? "the server terminated the connection" : meaning[error.reason._tag]
  const socket = socketFailuresOf(error.reason.cause)
  if (socket.length > 0) return `${what}: ${describeSocket(socket)}`
  const detail = field(error.reason.cause, "message") ?? error.message
  return `${what}: ${detail}${state === undefined ? "" : ` (SQLSTATE ${state})`}`
}

/** Turns a failed statement into the port's `StoreError` for `operation` (on `streamId`, if any). */
export const storeError = (operation: string, streamId?: string) => (error: SqlError.SqlError): EventStore.StoreError =>
  new EventStore.StoreError({ operation, streamId, reason: describe(error), cause: error })

/**
 * Runs `effect` in a transaction of `sql`. When the connection is lost in the middle, the server
 * has rolled the transaction back, but `effect/sql`'s own `ROLLBACK` then fails and it reports that
 * as a defect: here it is the typed `SqlError` it is.
 */
export const transaction = <A, E, R>(
  sql: SqlClient.SqlClient,
  effect: Effect.Effect<A, E, R>
): Effect.Effect<A, E | SqlError.SqlError, R> =>
  sql.withTransaction(effect).pipe(
    Effect.catchDefect((defect) => SqlError.isSqlError(defect) ? Effect.fail(defect) : Effect.die(defect))
  )
