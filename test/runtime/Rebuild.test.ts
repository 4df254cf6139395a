/**
 * Rebuild folds a projection up to the head read when it starts and stops, with no Scope: it gives
 * what a Projector gives at that position, fails with the same typed errors and defects, and starts
 * every run from zero on a fresh initial state. Runs on the memory layer and on IndexedDB
 * (fake-indexeddb).
 */
import "fake-indexeddb/auto"
import { type Envelope, ExpectedVersion, Projection } from "@chronicle/core"
import { BankAccount } from "@chronicle/examples"
import { CommandHandler, EventStore, Projector, Rebuild } from "@chronicle/runtime"
import { IndexedDbEventStore } from "@chronicle/store-indexeddb"
import type { IndexedDb } from "@chronicle/store-indexeddb"
import { MemoryEventStore } from "@chronicle/store-memory"
import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Layer, Stream } from "effect"
import { accounts, boom, throwsOnDeposit, user } from "./fixtures.ts"

let databases = 0

const layers: ReadonlyArray<readonly [string, () => Layer.Layer<EventStore.EventStore, IndexedDb.OpenError>]> = [
  ["memory", () => MemoryEventStore.layer],
  ["indexeddb (fake-indexeddb)", () => IndexedDbEventStore.layer({ name: `rebuild-${databases++}` })]
]

const users = CommandHandler.make(user)

const balances = Rebuild.make({ projection: BankAccount.balances, eventSchema: BankAccount.Event })

/** Three accounts, a withdrawal, and a user of another domain in between. */
const history = Effect.gen(function*() {
  for (const [i, id] of ["a", "b", "c"].entries()) {
    yield* accounts.handle({ _tag: "Open", accountId: id, owner: id })
    yield* accounts.handle({ _tag: "Deposit", accountId: id, amount: (i + 1) * 100 })
    if (i === 0) {
      yield* users.handle({ _tag: "Register", userId: "u", givenName: "Ada", familyName: "Lovelace", email: "ada@example.com" })
    }
  }
  return yield* accounts.handle({ _tag: "Withdraw", accountId: "b", amount: 50 })
})

/** Counts the events of each stream in a Map it changes in place: a shared Map doubles the counts. */
const perStream = Projection.make({
  initialState: () => new Map<string, number>(),
  evolve: (counts, recorded: Envelope.Recorded<BankAccount.Event>) =>
    counts.set(recorded.streamId, (counts.get(recorded.streamId) ?? 0) + 1)
})

/** What a Projector holds once it has applied everything up to the store's last position. */
const projected = <State>(options: Projector.Options<State, BankAccount.Event>) =>
  Effect.scoped(Effect.gen(function*() {
    const projector = yield* Projector.make(options)
    return yield* projector.awaitPosition(yield* EventStore.EventStore.use((store) => store.lastPosition))
  }))

for (const [layerName, layer] of layers) {
  describe(`Rebuild (${layerName})`, () => {
    it.effect("fromZero gives the read model a Projector has after awaitPosition, and needs no Scope", () =>
      Effect.gen(function*() {
        yield* history
        const run: Effect.Effect<Projector.Checkpointed<ReadonlyMap<string, number>>, Projector.ProjectorError, EventStore.EventStore> =
          balances.fromZero
        const rebuilt = yield* run
        assert.deepStrictEqual(rebuilt, yield* projected({ projection: BankAccount.balances, eventSchema: BankAccount.Event }))
        assert.strictEqual(rebuilt.position, 8)
        assert.deepStrictEqual([...rebuilt.state], [["a", 100], ["b", 150], ["c", 300]])
      }).pipe(Effect.provide(layer())))

    it.effect("reads recorded envelopes with input: \"recorded\", as a Projector does", () =>
      Effect.gen(function*() {
        yield* history
        const options = { projection: BankAccount.lastActivity, input: "recorded", eventSchema: BankAccount.Event } as const
        assert.deepStrictEqual(yield* Rebuild.make(options).fromZero, yield* projected(options))
      }).pipe(Effect.provide(layer())))

    it.effect("catchUp folds only what came after the checkpoint, and ends where fromZero ends", () =>
      Effect.gen(function*() {
        yield* accounts.handle({ _tag: "Open", accountId: "a", owner: "a" })
        const first = yield* balances.fromZero
        assert.deepStrictEqual(first, { state: new Map([["a", 0]]), position: 1 })
        yield* accounts.handle({ _tag: "Deposit", accountId: "a", amount: 70 })
        yield* accounts.handle({ _tag: "Open", accountId: "b", owner: "b" })
        const caughtUp = yield* balances.catchUp(first)
        assert.deepStrictEqual(caughtUp, yield* balances.fromZero)
        assert.deepStrictEqual([...caughtUp.state], [["a", 70], ["b", 0]])
        // At the head, the checkpoint comes back as it is.
        assert.strictEqual(yield* balances.catchUp(caughtUp), caughtUp)
        // A checkpoint's state is folded on: a made-up starting balance shows through.
        const shifted = yield* balances.catchUp({ state: new Map([["a", 1000]]), position: 1 })
        assert.deepStrictEqual([...shifted.state], [["a", 1070], ["b", 0]])
      }).pipe(Effect.provide(layer())))

    it.effect("streamId folds one stream only; the position is the global one of its last event", () =>
      Effect.gen(function*() {
        yield* history
        const b = Rebuild.make({
          projection: BankAccount.balances,
          eventSchema: BankAccount.Event,
          streamId: BankAccount.streamId("b")
        })
        const { position, state } = yield* b.fromZero
        assert.deepStrictEqual([...state], [["b", 150]])
        assert.strictEqual(position, 8)
        const a = Rebuild.make({ projection: BankAccount.balances, eventSchema: BankAccount.Event, streamId: BankAccount.streamId("a") })
        assert.deepStrictEqual(yield* a.fromZero, { state: new Map([["a", 100]]), position: 2 })
        // Caught up from its own checkpoint, a stream gets only its later events.
        yield* accounts.handle({ _tag: "Deposit", accountId: "a", amount: 5 })
        yield* accounts.handle({ _tag: "Deposit", accountId: "c", amount: 5 })
        assert.deepStrictEqual(yield* a.catchUp({ state: new Map([["a", 100]]), position: 2 }), {
          state: new Map([["a", 105]]),
          position: 9
        })
      }).pipe(Effect.provide(layer())))

    it.effect("an empty log gives the initial state at position 0", () =>
      Effect.gen(function*() {
        assert.deepStrictEqual(yield* balances.fromZero, { state: new Map(), position: 0 })
        const one = Rebuild.make({ projection: BankAccount.balances, eventSchema: BankAccount.Event, streamId: "account-none" })
        assert.deepStrictEqual(yield* one.fromZero, { state: new Map(), position: 0 })
      }).pipe(Effect.provide(layer())))

    it.effect("a record that does not decode fails it with the EventDecodeError a Projector stops with", () =>
      Effect.gen(function*() {
        yield* accounts.handle({ _tag: "Open", accountId: "a", owner: "a" })
        yield* EventStore.EventStore.use((store) =>
          store.append("account-a", [{ type: "Deposited", data: { nonsense: true } }], ExpectedVersion.any)
        )
        const error = yield* Effect.flip(balances.fromZero)
        assert.strictEqual(error._tag, "EventDecodeError")
        assert.deepInclude(error, { streamId: "account-a", version: 2, position: 2, type: "Deposited" })
        const stopped = yield* Effect.flip(projected({ projection: BankAccount.balances, eventSchema: BankAccount.Event }))
        assert.deepStrictEqual(error, stopped)
      }).pipe(Effect.provide(layer())))

    it.effect("a throwing evolve fails it with the ProjectionDefect a Projector stops with", () =>
      Effect.gen(function*() {
        yield* accounts.handle({ _tag: "Open", accountId: "a", owner: "a" })
        yield* accounts.handle({ _tag: "Deposit", accountId: "a", amount: 10 })
        const error = yield* Effect.flip(Rebuild.make({ projection: throwsOnDeposit, eventSchema: BankAccount.Event }).fromZero)
        assert.strictEqual(error._tag, "ProjectionDefect")
        const defect = error as Projector.ProjectionDefect
        assert.deepInclude(defect, { stage: "apply", position: 2, streamId: "account-a", type: "Deposited" })
        assert.strictEqual(Cause.squash(defect.cause), boom)
        const stopped = yield* Effect.flip(projected({ projection: throwsOnDeposit, eventSchema: BankAccount.Event }))
        assert.strictEqual(defect.message, stopped.message)
      }).pipe(Effect.provide(layer())))

    it.effect("a throwing onClosed fails it at the archive marker", () =>
      Effect.gen(function*() {
        yield* accounts.handle({ _tag: "Open", accountId: "a", owner: "a" })
        yield* EventStore.archive("account-a")
        const rebuild = Rebuild.make({
          projection: throwsOnDeposit,
          eventSchema: BankAccount.Event,
          onClosed: () => {
            throw boom
          }
        })
        const defect = (yield* Effect.flip(rebuild.fromZero)) as Projector.ProjectionDefect
        assert.deepInclude(defect, { _tag: "ProjectionDefect", stage: "apply", position: 2, type: EventStore.archivedType })
      }).pipe(Effect.provide(layer())))

    it.effect("a read model changed in place starts fresh on every run, from Rebuild and from Projector.rebuild", () =>
      Effect.gen(function*() {
        yield* history
        const expected = [["account-a", 2], ["account-b", 3], ["account-c", 2]]
        const options = { projection: perStream, input: "recorded", eventSchema: BankAccount.Event } as const
        const rebuild = Rebuild.make(options)
        assert.deepStrictEqual([...(yield* rebuild.fromZero).state], expected)
        assert.deepStrictEqual([...(yield* rebuild.fromZero).state], expected)
        yield* Effect.scoped(Effect.gen(function*() {
          const projector = yield* Projector.make(options)
          yield* projector.awaitPosition(8)
          assert.deepStrictEqual([...(yield* projector.rebuild).state], expected)
          assert.deepStrictEqual([...(yield* projector.rebuild).state], expected)
        }))
      }).pipe(Effect.provide(layer())))
  })
}

/** The memory store with some of its operations replaced. */
const decorated = (replace: (store: EventStore.Service) => Partial<EventStore.Service>) =>
  Layer.effect(EventStore.EventStore, EventStore.EventStore.use((store) => Effect.succeed({ ...store, ...replace(store) }))).pipe(
    Layer.provide(MemoryEventStore.layer)
  )

describe("Rebuild, on a store that misbehaves", () => {
  // Its lastPosition lets another writer append just after it answers.
  const racing = decorated((store) => ({
    lastPosition: Effect.tap(store.lastPosition, () =>
      store.append("account-z", [{ type: "Deposited", data: { _tag: "Deposited", accountId: "z", amount: 1 } }], ExpectedVersion.any)
        .pipe(Effect.orDie))
  }))

  it.effect("stops at the head it read when it started: a later event is left for the next catch-up", () =>
    Effect.gen(function*() {
      yield* accounts.handle({ _tag: "Open", accountId: "a", owner: "a" })
      const first = yield* balances.fromZero
      assert.deepStrictEqual(first, { state: new Map([["a", 0]]), position: 1 })
      // The head is now 2 (z's first deposit), and z's second deposit arrived just after it was read.
      const next = yield* balances.catchUp(first)
      assert.deepStrictEqual(next, { state: new Map([["a", 0], ["z", 1]]), position: 2 })
      assert.strictEqual(yield* EventStore.EventStore.use((store) => store.lastPosition), 3)
    }).pipe(Effect.provide(racing)))

  // Its readAll dies after delivering what is recorded.
  const dying = decorated((store) => ({ readAll: (range) => Stream.concat(store.readAll(range), Stream.die(boom)) }))

  it.effect("a defect while reading fails it with a ProjectionDefect in stage read, at the position reached", () =>
    Effect.gen(function*() {
      yield* accounts.handle({ _tag: "Open", accountId: "a", owner: "a" })
      yield* accounts.handle({ _tag: "Deposit", accountId: "a", amount: 10 })
      const defect = (yield* Effect.flip(balances.fromZero)) as Projector.ProjectionDefect
      assert.deepInclude(defect, { _tag: "ProjectionDefect", stage: "read", position: 2 })
      assert.match(defect.message, /defect while reading the log after position 2: boom/)
    }).pipe(Effect.provide(dying)))
})
