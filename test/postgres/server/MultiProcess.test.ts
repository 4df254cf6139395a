/**
 * Two Node processes (`worker.ts`) handle bank-account commands on the same accounts at the same
 * time, each through its own PostgreSQL layer, while this process watches the log. Whatever the
 * interleaving: every stream's versions are 1…n, the log holds exactly the events the workers
 * appended (none lost, none twice) at positions 1…N, each account was opened once and never went
 * below zero, this process's live subscription delivered the whole log in order, and every read
 * model — this process's, each worker's, each worker's saved checkpoint — equals a rebuild.
 */
import type { Envelope } from "@chronicle/core"
import { Projection } from "@chronicle/core"
import { BankAccount } from "@chronicle/examples"
import { EventStore, Projector } from "@chronicle/runtime"
import { PostgresCheckpointStore } from "@chronicle/store-postgres"
import { assert, it } from "@effect/vitest"
import { Effect, Option, Schedule, Schema, Stream } from "effect"
import { spawn } from "node:child_process"
import { fileURLToPath } from "node:url"
import * as Source from "../../support/source.ts"
import { describePostgres, instance, requireServer, scratchSchema, useDatabase } from "../database.ts"

const url = requireServer()

interface Appended {
  readonly eventId: string
  readonly streamId: string
  readonly version: number
  readonly position: number
}

interface WorkerReport {
  readonly name: string
  readonly appended: ReadonlyArray<Appended>
  readonly rejected: number
  readonly readModel: { readonly position: number; readonly state: ReadonlyArray<readonly [string, number]> }
}

const worker = fileURLToPath(new URL("worker.ts", import.meta.url))

/**
 * Starts a worker process (with the Node running this test, on the packages' sources) for the current scope. `ready` succeeds
 * once it is connected; it then waits for `go`; `report` is what it printed when it ended.
 */
const startWorker = (schema: string, name: string, commands: number, seed: number) =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const child = spawn(process.execPath, [...Source.nodeArgs, worker, url, schema, name, String(commands), String(seed)])
      let stdout = ""
      let stderr = ""
      const ready = new Promise<void>((resolve) =>
        child.stdout.on("data", (chunk: Buffer) => {
          stdout += chunk.toString()
          if (stdout.startsWith("ready\n")) resolve()
        })
      )
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()))
      const report = new Promise<WorkerReport>((resolve, reject) =>
        child.on("close", (code) =>
          code === 0
            ? resolve(JSON.parse(stdout.trim().split("\n").at(-1) ?? "") as WorkerReport)
            : reject(new Error(`worker ${name} exited with ${code}:\n${stderr}`)))
      )
      return {
        child,
        ready: Effect.tryPromise(() => Promise.race([ready, report.then(() => {})])),
        go: Effect.sync(() => child.stdin.end("go\n")),
        report: Effect.tryPromise(() => report)
      }
    }),
    ({ child }) => Effect.sync(() => child.kill())
  )

const decodeEvent = Schema.decodeUnknownSync(BankAccount.Event)
const balancesUpTo = (log: ReadonlyArray<Envelope.Recorded>, position: number) =>
  Projection.fold(BankAccount.balances, log.filter((event) => event.position <= position).map((event) => decodeEvent(event.data)))
const decodeSaved = Schema.decodeUnknownSync(Schema.toCodecJson(Schema.ReadonlyMap(Schema.String, Schema.Int)))

describePostgres("PostgreSQL with several processes", () => {
  const { client } = useDatabase()

  it.live("two processes on the same accounts: contiguous versions, nothing lost, read models equal to a rebuild", () =>
    Effect.gen(function*() {
      const schema = yield* scratchSchema
      const { store } = yield* instance(schema)
      const delivered: Array<Envelope.Recorded> = []
      yield* store.subscribe().pipe(Stream.runForEach((event) => Effect.sync(() => delivered.push(event))), Effect.forkChild)
      const watcher = yield* Projector.make({ projection: BankAccount.balances, eventSchema: BankAccount.Event }).pipe(
        Effect.provideService(EventStore.EventStore, store)
      )

      const workers = [yield* startWorker(schema, "one", 60, 1), yield* startWorker(schema, "two", 60, 2)]
      yield* Effect.forEach(workers, (worker) => worker.ready, { concurrency: "unbounded" })
      yield* Effect.forEach(workers, (worker) => worker.go)
      const reports = yield* Effect.forEach(workers, (worker) => worker.report, { concurrency: "unbounded" })

      const log = yield* Stream.runCollect(store.readAll())
      assert.deepStrictEqual(log.map((event) => event.position), Array.from({ length: log.length }, (_, i) => i + 1))
      for (const streamId of new Set(log.map((event) => event.streamId))) {
        const events = log.filter((event) => event.streamId === streamId)
        assert.deepStrictEqual(events.map((event) => event.version), Array.from({ length: events.length }, (_, i) => i + 1))
        assert.deepStrictEqual(events.map((event) => event.type).filter((type) => type === "AccountOpened"), ["AccountOpened"])
        assert.strictEqual(events[0]!.type, "AccountOpened", `${streamId} starts with its opening`)
      }
      const appended = reports.flatMap((report) => report.appended)
      assert.strictEqual(appended.length, log.length, "the log holds what the workers appended, nothing else")
      assert.sameMembers(appended.map((event) => event.eventId), log.map((event) => event.metadata.eventId))
      assert.deepStrictEqual(
        [...appended].sort((a, b) => a.position - b.position),
        log.map(({ metadata, position, streamId, version }) => ({ eventId: metadata.eventId, streamId, version, position }))
      )
      const writers = log.map((event) => reports.find((report) => report.appended.some((e) => e.position === event.position))!.name)
      const turns = writers.filter((writer, i) => i > 0 && writer !== writers[i - 1]).length
      assert.isAtLeast(turns, 2, "the workers' appends interleave")

      const rebuilt = balancesUpTo(log, log.length)
      for (const balance of rebuilt.values()) assert.isAtLeast(balance, 0, "no account went below zero")
      const live = yield* watcher.awaitPosition(log.length)
      assert.deepStrictEqual(live.state, rebuilt)
      yield* Effect.sync(() => delivered.length >= log.length ? Effect.void : Effect.fail("not yet")).pipe(
        Effect.flatten,
        Effect.retry({ schedule: Schedule.spaced("20 millis"), times: 500 })
      )
      assert.deepStrictEqual(delivered, log, "the live subscription delivered the log, in order, once")

      const checkpoints = yield* PostgresCheckpointStore.make({ schema })
      for (const report of reports) {
        const { position, state } = report.readModel
        assert.deepStrictEqual(new Map(state), balancesUpTo(log, position), `worker ${report.name}'s read model`)
        const saved = Option.getOrThrow(yield* checkpoints.load(`balances-${report.name}`))
        assert.deepStrictEqual(decodeSaved(saved.state), balancesUpTo(log, saved.position), `worker ${report.name}'s checkpoint`)
      }
    }).pipe(Effect.provide(client)), 120_000)
})
