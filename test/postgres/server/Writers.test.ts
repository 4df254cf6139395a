/**
 * Writers that stall, on a real server.
 *
 * - A late commit: a raw connection calls the append function inside a transaction and holds it
 *   open. It holds the head lock, so the appends of every instance wait for it (at most their
 *   `lock_timeout`, after which they fail with a transient `StoreError`) — that is what keeps
 *   positions in commit order. Once it commits, every subscriber and projector delivers every event
 *   exactly once, in position order, the late one included.
 * - A frozen process: a writer process appending in four loops is stopped with SIGSTOP for 3 s. An
 *   append holds the head lock only while the server runs its one statement, so a frozen client
 *   holds none: a bystander keeps appending meanwhile. After SIGCONT the log has contiguous
 *   versions, gapless positions, and everything both wrote.
 */
import type { Envelope } from "@chronicle/core"
import { ExpectedVersion, Projection } from "@chronicle/core"
import { EventStore, Projector } from "@chronicle/runtime"
import { Postgres } from "@chronicle/store-postgres"
import { assert, it } from "@effect/vitest"
import { Context, Deferred, Duration, Effect, Fiber, Layer, Ref, Schedule, Schema, Stream } from "effect"
import type { Scope } from "effect"
import { SqlClient } from "effect/sql"
import { spawn } from "node:child_process"
import { fileURLToPath } from "node:url"
import * as Source from "../../support/source.ts"
import { clientLayer, describePostgres, instance, requireServer, scratchSchema, useDatabase } from "../database.ts"

const url = requireServer()

const Noted = Schema.TaggedStruct("Noted", { note: Schema.String })
const noted = (note: string): EventStore.Pending => ({ type: "Noted", data: { _tag: "Noted", note } })
const notes = Projection.make({
  initialState: [] as ReadonlyArray<string>,
  evolve: (state: ReadonlyArray<string>, event: typeof Noted.Type) => [...state, event.note]
})

const upTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1)

/** Collects what a subscription delivers; `upTo(n)` waits until it holds `n` events. */
const collect = (store: EventStore.Service) =>
  Effect.gen(function*() {
    const delivered: Array<Envelope.Recorded> = []
    yield* store.subscribe().pipe(Stream.runForEach((event) => Effect.sync(() => delivered.push(event))), Effect.forkChild)
    const upTo = (n: number) =>
      Effect.suspend(() => delivered.length >= n ? Effect.succeed([...delivered]) : Effect.fail("not yet")).pipe(
        Effect.retry({ schedule: Schedule.spaced("20 millis"), times: 500 })
      )
    return { upTo }
  })

/**
 * A raw transaction on a connection of its own that calls the append function of `schema` for one
 * event on `streamId` and stays open: `held` succeeds once the call has returned, `commit` ends it.
 */
const openTransaction = (schema: string, streamId: string) =>
  Effect.gen(function*() {
    const context = yield* Layer.build(clientLayer(url))
    const sql = Context.get(context, SqlClient.SqlClient)
    const held = yield* Deferred.make<void>()
    const commit = yield* Deferred.make<void>()
    const appends = JSON.stringify([{
      position: null,
      batches: [{
        streamId,
        expected: ExpectedVersion.noStream,
        events: [{ type: "Noted", data: { _tag: "Noted", note: streamId }, metadata: { eventId: streamId, recordedAt: 0 } }]
      }]
    }])
    const fiber = yield* sql.withTransaction(
      sql`SELECT ${sql(schema)}.append(${appends}::jsonb, ${`chronicle/${schema}`})`.pipe(
        Effect.andThen(Deferred.succeed(held, undefined)),
        Effect.andThen(Deferred.await(commit))
      )
    ).pipe(Effect.forkChild)
    yield* Deferred.await(held)
    return { commit: Deferred.succeed(commit, undefined).pipe(Effect.andThen(Fiber.join(fiber))) }
  })

interface Appender {
  readonly pid: number
  /** The number of events it appended so far. */
  readonly appended: Effect.Effect<number>
  /** Ends its loops; the number of events it appended. */
  readonly stop: Effect.Effect<number, Error>
}

const appenderScript = fileURLToPath(new URL("appender.ts", import.meta.url))

/** Starts an `appender.ts` process on the streams `<prefix>-…` for the current scope, once it is connected. */
const startAppender = (schema: string, prefix: string): Effect.Effect<Appender, Error, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.tryPromise({
      try: () =>
        new Promise<Appender>((resolve, reject) => {
          const child = spawn(process.execPath, [...Source.nodeArgs, appenderScript, url, schema, prefix])
          let stdout = ""
          let stderr = ""
          let last = 0
          const done = new Promise<number>((resolveDone, rejectDone) =>
            child.on("close", (code) => {
              const match = /done (\d+)/.exec(stdout)
              if (code === 0 && match !== null) resolveDone(Number(match[1]))
              else rejectDone(new Error(`appender ${prefix} exited with ${code}:\n${stderr}`))
            })
          )
          done.catch(reject)
          child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()))
          child.stdout.on("data", (chunk: Buffer) => {
            stdout += chunk.toString()
            const lines = stdout.trimEnd().split("\n")
            const count = Number(lines.at(-1))
            if (Number.isInteger(count)) last = count
            if (lines[0] === "ready") {
              resolve({
                pid: child.pid!,
                appended: Effect.sync(() => last),
                stop: Effect.tryPromise({
                  try: () => (child.stdin.end(), done),
                  catch: (cause) => cause as Error
                })
              })
            }
          })
        }),
      catch: (cause) => cause as Error
    }),
    // It has usually exited already.
    ({ pid }) => Effect.try(() => process.kill(pid, "SIGKILL")).pipe(Effect.ignore)
  )

describePostgres("PostgreSQL writers that stall", () => {
  const { client } = useDatabase()

  it.live("a late commit: the others wait for its head lock, then every subscriber and projector delivers every event once, in order", () =>
    Effect.gen(function*() {
      const schema = yield* scratchSchema
      const a = yield* instance(schema)
      const b = yield* instance(schema)
      const subscribers = [yield* collect(a.store), yield* collect(b.store)]
      const projector = yield* Projector.make({ projection: notes, eventSchema: Noted }).pipe(
        Effect.provideService(EventStore.EventStore, b.store)
      )
      yield* a.store.append("early", [noted("early.1"), noted("early.2")], ExpectedVersion.noStream)
      const late = yield* openTransaction(schema, "late")
      const waiting = yield* Effect.forEach(
        Array.from({ length: 8 }, (_, i) => ({ store: i % 2 === 0 ? a.store : b.store, streamId: `w-${i}` })),
        ({ store, streamId }) => Effect.forkChild(store.append(streamId, [noted(streamId)], ExpectedVersion.noStream))
      )
      yield* Effect.sleep("500 millis")
      assert.deepStrictEqual(waiting.map((fiber) => fiber.pollUnsafe()), waiting.map(() => undefined), "they wait for the head lock")
      assert.strictEqual((yield* subscribers[0]!.upTo(2)).length, 2, "nothing after the early events is visible")
      yield* late.commit
      const written = yield* Effect.forEach(waiting, Fiber.join)
      const log = yield* Stream.runCollect(a.store.readAll())
      assert.deepStrictEqual(log.map((event) => event.position), upTo(11))
      assert.deepInclude(log[2], { streamId: "late", version: 1, position: 3 }, "the late append locked first: its position is next")
      assert.sameMembers(written.map((result) => result.events[0]!.position), upTo(11).slice(3))
      for (const subscriber of subscribers) assert.deepStrictEqual(yield* subscriber.upTo(11), log)
      const projected = yield* projector.awaitPosition(11)
      assert.deepStrictEqual(projected.state, log.map((event) => (event.data as typeof Noted.Type).note))
    }).pipe(Effect.scoped, Effect.provide(client)))

  it.live("behind a transaction that holds the head lock, an append fails after lockTimeout with a transient StoreError", () =>
    Effect.gen(function*() {
      const schema = yield* scratchSchema
      yield* Postgres.migrate({ schema })
      const context = yield* Layer.build(Postgres.layer({ url, schema, lockTimeout: "300 millis" }))
      const store = Context.get(context, EventStore.EventStore)
      const late = yield* openTransaction(schema, "late")
      const error = yield* Effect.flip(store.append("mine", [noted("mine")], ExpectedVersion.noStream))
      assert.deepInclude(error, { _tag: "StoreError", operation: "append", streamId: "mine" })
      assert.isTrue(Postgres.isTransient(error))
      assert.strictEqual(Postgres.sqlState(error), "55P03")
      yield* late.commit
      const retried = yield* store.append("mine", [noted("mine")], ExpectedVersion.noStream)
      assert.deepInclude(retried.events[0], { streamId: "mine", version: 1, position: 2 })
    }).pipe(Effect.scoped, Effect.provide(client)))

  it.live("a writer process frozen with SIGSTOP holds no lock: a bystander keeps appending, and the log stays whole", () =>
    Effect.gen(function*() {
      const schema = yield* scratchSchema
      const { store } = yield* instance(schema)
      const subscriber = yield* collect(store)
      const appender = yield* startAppender(schema, "frozen")
      yield* Effect.suspend(() => Effect.flatMap(appender.appended, (n) => n >= 40 ? Effect.void : Effect.fail("not yet"))).pipe(
        Effect.retry({ schedule: Schedule.spaced("20 millis"), times: 1_000 })
      )
      const bystander = yield* Ref.make(0)
      const loop = yield* Effect.gen(function*() {
        const version = yield* Ref.get(bystander)
        yield* store.append("bystander", [noted(`bystander.${version + 1}`)], ExpectedVersion.exact(version))
        yield* Ref.set(bystander, version + 1)
      }).pipe(Effect.forever, Effect.forkChild)
      const window = (duration: Duration.Input) =>
        Effect.gen(function*() {
          const start = yield* Ref.get(bystander)
          yield* Effect.sleep(duration)
          return (yield* Ref.get(bystander)) - start
        })
      const before = yield* window("1 second")
      process.kill(appender.pid, "SIGSTOP")
      const frozenAt = yield* appender.appended
      const during = yield* window("3 seconds").pipe(Effect.ensuring(Effect.sync(() => process.kill(appender.pid, "SIGCONT"))))
      const after = yield* window("1 second")
      yield* Fiber.interrupt(loop)
      const appended = yield* appender.stop
      const bystanderVersion = yield* Ref.get(bystander)
      console.log(
        `bystander appends: ${before} in the second before the freeze, ${during} during the 3 s freeze, ${after} in the second after; ` +
          `the frozen writer appended ${appended} (${frozenAt} when frozen)`
      )
      assert.isAbove(during, 0, "the bystander kept appending while the writer was frozen")
      assert.isAtLeast(during, Math.floor(before * 3 / 10), "and not at a trickle: a tenth of its rate before, at least")
      assert.isAbove(appended, frozenAt, "the writer went on after SIGCONT")
      const log = yield* Stream.runCollect(store.readAll())
      assert.deepStrictEqual(log.map((event) => event.position), upTo(log.length))
      for (const streamId of new Set(log.map((event) => event.streamId))) {
        const events = log.filter((event) => event.streamId === streamId)
        assert.deepStrictEqual(events.map((event) => event.version), upTo(events.length), `${streamId}: contiguous versions`)
      }
      const bystanderEvents = log.filter((event) => event.streamId === "bystander").length
      assert.isAtLeast(bystanderEvents, bystanderVersion, "nothing the bystander appended is lost")
      assert.strictEqual(log.length - bystanderEvents, appended, "the log holds exactly what the writer appended")
      assert.deepStrictEqual(yield* subscriber.upTo(log.length), log)
    }).pipe(Effect.scoped, Effect.provide(client)), 60_000)
})
