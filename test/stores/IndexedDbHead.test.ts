/**
 * The IndexedDB layer's head, under Node on fake-indexeddb: closing the layer while an append is in
 * flight throws nothing (its wake-up for the other tabs is still sent), and the messages of the
 * `BroadcastChannel` are only hints — whatever a script of the origin posts there, subscriptions
 * neither stop nor spin, and the head never runs ahead of the database.
 */
import "fake-indexeddb/auto"
import { ExpectedVersion } from "@chronicle/core"
import type { EventStore } from "@chronicle/runtime"
import { IndexedDbEventStore } from "@chronicle/store-indexeddb"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Scope, Stream } from "effect"

let databases = 0
const fresh = () => `head-${databases++}`

const notes = (count: number): ReadonlyArray<EventStore.Pending> =>
  Array.from({ length: count }, (_, n) => ({ type: "Noted", data: { _tag: "Noted", n } }))

/** A channel of the database's name, for the current scope, and the messages it has heard. */
const channelOf = (name: string) =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const heard: Array<unknown> = []
      const channel = new BroadcastChannel(`chronicle/${name}`)
      channel.onmessage = (message: MessageEvent<unknown>) => void heard.push(message.data)
      return { channel, heard }
    }),
    ({ channel }) => Effect.sync(() => channel.close())
  )

/** The exceptions nobody caught, for the current scope. */
const uncaught = Effect.acquireRelease(
  Effect.sync(() => {
    const errors: Array<unknown> = []
    const record = (error: unknown) => void errors.push(error)
    process.on("uncaughtException", record)
    return { errors, record }
  }),
  ({ record }) => Effect.sync(() => void process.off("uncaughtException", record))
)

/** Counts the page reads (`getAll`) of every IndexedDB object store, for the current scope. */
const pageReads = Effect.acquireRelease(
  Effect.sync(() => {
    const counter = { reads: 0 }
    const original = IDBObjectStore.prototype.getAll
    IDBObjectStore.prototype.getAll = function(this: IDBObjectStore, ...args: Parameters<IDBObjectStore["getAll"]>) {
      counter.reads++
      return original.apply(this, args)
    }
    return { counter, original }
  }),
  ({ original }) => Effect.sync(() => void (IDBObjectStore.prototype.getAll = original))
).pipe(Effect.map(({ counter }) => counter))

describe("IndexedDbEventStore head", () => {
  it.live("closing the layer with an append in flight throws nothing, and the other tabs still hear of the commit", () =>
    Effect.gen(function*() {
      const name = fresh()
      const { errors } = yield* uncaught
      const { heard } = yield* channelOf(name)
      const scope = yield* Scope.make()
      const store = yield* IndexedDbEventStore.make({ name }).pipe(Scope.provide(scope))
      const append = yield* Effect.forkChild(store.append("s", notes(3), ExpectedVersion.noStream))
      yield* Effect.yieldNow // the append's transaction has started
      yield* Scope.close(scope, Exit.void)
      const exit = yield* Fiber.await(append)
      yield* Effect.sleep("50 millis") // past the wake-up timer
      assert.deepStrictEqual(errors, [])
      assert.isTrue(Exit.isSuccess(exit), "the append in flight commits")
      assert.deepStrictEqual(heard, [3])
    }).pipe(Effect.scoped))

  const hints: ReadonlyArray<readonly [string, ReadonlyArray<unknown>]> = [
    ["NaN", [Number.NaN]],
    ["Infinity", [Number.POSITIVE_INFINITY]],
    ["positions beyond the log", [1_000, Number.MAX_SAFE_INTEGER]],
    ["values that are not positions", ["2", -1, 1.5, null, { position: 2 }, Number.NEGATIVE_INFINITY]]
  ]
  for (const [what, messages] of hints) {
    it.live(`a message of ${what} on the channel neither stops nor spins a caught-up subscription`, () =>
      Effect.gen(function*() {
        const name = fresh()
        const store = yield* IndexedDbEventStore.make({ name })
        yield* store.append("s", notes(1), ExpectedVersion.noStream)
        const live = yield* store.subscribe({ from: 2 }).pipe(Stream.take(1), Stream.runCollect, Effect.forkChild)
        const counter = yield* pageReads
        yield* Effect.sleep("50 millis") // caught up, waiting for position 2
        counter.reads = 0
        const { channel } = yield* channelOf(name)
        for (const message of messages) channel.postMessage(message)
        yield* Effect.sleep("300 millis")
        assert.isAtMost(counter.reads, 2, "page reads while nothing was appended")
        assert.strictEqual(yield* store.lastPosition, 1)
        yield* store.append("s", notes(1), ExpectedVersion.exact(1))
        const delivered = yield* Fiber.join(live).pipe(Effect.timeout("5 seconds"))
        assert.deepStrictEqual(delivered.map((event) => event.position), [2])
      }).pipe(Effect.scoped))
  }
})
