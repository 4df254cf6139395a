import type { Envelope } from "@chronicle/core"
import { ExpectedVersion, Projection } from "@chronicle/core"
import { BankAccount } from "@chronicle/examples"
import { CheckpointStore, CommandHandler, EventStore, Projector } from "@chronicle/runtime"
import { MemoryCheckpointStore, MemoryEventStore } from "@chronicle/store-memory"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Option, Result, Schema, Stream } from "effect"
import { TestClock } from "effect/testing"
import { accounts, user } from "./fixtures.ts"

const users = CommandHandler.make(user)

const balances = () => Projector.make({ projection: BankAccount.balances, eventSchema: BankAccount.Event })

const openAndDeposit = (accountId: string, amount: number) =>
  Effect.gen(function*() {
    yield* accounts.handle({ _tag: "Open", accountId, owner: accountId })
    return yield* accounts.handle({ _tag: "Deposit", accountId, amount })
  })

describe("Projector", () => {
  it.effect("catches up, then follows live appends; awaitPosition gives read-your-writes", () =>
    Effect.gen(function*() {
      yield* openAndDeposit("a", 10)
      const projector = yield* balances()
      const handled = yield* openAndDeposit("b", 20)
      const { state, position } = yield* projector.awaitPosition(handled.events[0]!.position)
      assert.strictEqual(position, 4)
      assert.deepStrictEqual([...state], [["a", 10], ["b", 20]])
      assert.deepStrictEqual(yield* projector.current, { state, position })
    }).pipe(Effect.scoped, Effect.provide(MemoryEventStore.layer)))

  it.effect("passes over events of other domains, moving only the checkpoint", () =>
    Effect.gen(function*() {
      yield* users.handle({ _tag: "Register", userId: "u", givenName: "Ada", familyName: "Lovelace", email: "ada@example.com" })
      yield* openAndDeposit("a", 10)
      const projector = yield* balances()
      const { state, position } = yield* projector.awaitPosition(3)
      assert.strictEqual(position, 3)
      assert.deepStrictEqual([...state], [["a", 10]])
    }).pipe(Effect.scoped, Effect.provide(MemoryEventStore.layer)))

  it.effect("rebuild from zero reaches the same read model as incremental application", () =>
    Effect.gen(function*() {
      const projector = yield* balances()
      for (const [i, id] of ["a", "b", "c"].entries()) yield* openAndDeposit(id, (i + 1) * 100)
      yield* accounts.handle({ _tag: "Withdraw", accountId: "b", amount: 50 })
      const incremental = yield* projector.awaitPosition(7)
      const rebuilt = yield* projector.rebuild
      assert.deepStrictEqual(rebuilt, incremental)
      // and it goes on live after the rebuild
      yield* accounts.handle({ _tag: "Deposit", accountId: "c", amount: 1 })
      const after = yield* projector.awaitPosition(8)
      assert.strictEqual(after.state.get("c"), 301)
    }).pipe(Effect.scoped, Effect.provide(MemoryEventStore.layer)))

  it.effect("changes emits the read model as it changes", () =>
    Effect.gen(function*() {
      const projector = yield* balances()
      yield* openAndDeposit("a", 10)
      const seen = yield* projector.changes.pipe(
        Stream.takeUntil((checkpoint) => checkpoint.position === 2),
        Stream.runCollect
      )
      assert.strictEqual(seen.at(-1)?.state.get("a"), 10)
    }).pipe(Effect.scoped, Effect.provide(MemoryEventStore.layer)))

  it.effect("resumes from a checkpoint without applying earlier events again", () =>
    Effect.gen(function*() {
      yield* openAndDeposit("a", 10)
      yield* openAndDeposit("b", 20)
      // A read model saved at position 2 (account a), resumed: only b's events are applied.
      const projector = yield* Projector.make({
        projection: BankAccount.balances,
        eventSchema: BankAccount.Event,
        from: { state: new Map([["a", 10]]), position: 2 }
      })
      const { state } = yield* projector.awaitPosition(4)
      assert.deepStrictEqual([...state], [["a", 10], ["b", 20]])
    }).pipe(Effect.scoped, Effect.provide(MemoryEventStore.layer)))

  it.effect("a record that does not decode stops the projector with a typed error naming it", () =>
    Effect.gen(function*() {
      const store = yield* EventStore.EventStore
      yield* openAndDeposit("a", 10)
      yield* store.append("account-a", [{ type: "Deposited", data: { nonsense: true } }], ExpectedVersion.any)
      const projector = yield* balances()
      const error = yield* Effect.flip(projector.awaitPosition(3))
      assert.strictEqual(error._tag, "EventDecodeError")
      assert.deepInclude(error, { streamId: "account-a", version: 3, position: 3 })
      // nothing past the bad record was applied
      assert.isAtMost((yield* projector.current).position, 2)
    }).pipe(Effect.scoped, Effect.provide(MemoryEventStore.layer)))

  it.live("a read model seen at a position has been saved at it: awaitPosition waits for onApplied", () =>
    Effect.gen(function*() {
      const saved: Array<number> = []
      const projector = yield* Projector.make({
        projection: BankAccount.balances,
        eventSchema: BankAccount.Event,
        onApplied: ({ position }) => Effect.andThen(Effect.sleep("20 millis"), Effect.sync(() => void saved.push(position)))
      })
      const { events } = yield* openAndDeposit("a", 10)
      const { position } = yield* projector.awaitPosition(events[0]!.position)
      assert.strictEqual(saved.at(-1), position)
    }).pipe(Effect.scoped, Effect.provide(MemoryEventStore.layer)))

  it.effect("makePersistent saves the read model and resumes from it", () =>
    Effect.gen(function*() {
      const stateSchema = Schema.ReadonlyMap(Schema.String, Schema.Int)
      const persistent = Projector.makePersistent({
        name: "balances",
        stateSchema,
        projection: BankAccount.balances,
        eventSchema: BankAccount.Event
      })
      yield* openAndDeposit("a", 10)
      yield* Effect.scoped(Effect.flatMap(persistent, (projector) => projector.awaitPosition(2)))
      const saved = yield* CheckpointStore.CheckpointStore.use((checkpoints) => checkpoints.load("balances"))
      assert.deepStrictEqual(Option.map(saved, ({ position }) => position), Option.some(2))
      // Resumed: the saved state is the starting point (a tampered one proves it is used, not replayed).
      yield* CheckpointStore.CheckpointStore.use((checkpoints) =>
        checkpoints.save("balances", { position: 2, state: [["a", 999]] })
      )
      yield* openAndDeposit("b", 1)
      const resumed = yield* Effect.scoped(Effect.flatMap(persistent, (projector) => projector.awaitPosition(4)))
      assert.deepStrictEqual([...resumed.state], [["a", 999], ["b", 1]])
      // A saved state that no longer decodes is dropped: replay from zero.
      yield* CheckpointStore.CheckpointStore.use((checkpoints) =>
        checkpoints.save("balances", { position: 4, state: "old shape" })
      )
      const replayed = yield* Effect.scoped(Effect.flatMap(persistent, (projector) => projector.awaitPosition(4)))
      assert.deepStrictEqual([...replayed.state], [["a", 10], ["b", 1]])
    }).pipe(Effect.provide(Layer.merge(MemoryEventStore.layer, MemoryCheckpointStore.layer))))
})

describe("Projector with input: \"recorded\"", () => {
  /** What a projection of envelopes sees of each event: where, when, and the decoded event. */
  const seen = Projection.make({
    initialState: [] as ReadonlyArray<unknown>,
    evolve: (all, recorded: Envelope.Recorded<BankAccount.Event>) => [...all, {
      streamId: recorded.streamId,
      version: recorded.version,
      position: recorded.position,
      recordedAt: recorded.metadata.recordedAt,
      correlationId: recorded.metadata.correlationId,
      event: recorded.data
    }]
  })
  const start = Date.UTC(2026, 0, 1)

  it.effect("evolve gets the decoded envelope: stream id, version, position and metadata", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(start)
      yield* accounts.handle({ _tag: "Open", accountId: "a", owner: "Ada" }, { correlationId: "c-1" })
      yield* users.handle({ _tag: "Register", userId: "u", givenName: "Ada", familyName: "Lovelace", email: "ada@example.com" })
      const projector = yield* Projector.make({ projection: seen, input: "recorded", eventSchema: BankAccount.Event })
      yield* TestClock.adjust("90 seconds")
      const handled = yield* accounts.handle({ _tag: "Deposit", accountId: "a", amount: 5 })
      const { state } = yield* projector.awaitPosition(handled.events[0]!.position)
      assert.deepStrictEqual(state, [
        {
          streamId: "account-a",
          version: 1,
          position: 1,
          recordedAt: start,
          correlationId: "c-1",
          event: { _tag: "AccountOpened", accountId: "a", owner: "Ada" }
        },
        {
          streamId: "account-a",
          version: 2,
          position: 3,
          recordedAt: start + 90_000,
          correlationId: undefined,
          event: { _tag: "Deposited", accountId: "a", amount: 5 }
        }
      ])
    }).pipe(Effect.scoped, Effect.provide(MemoryEventStore.layer)))

  it.effect("BankAccount.lastActivity: the last recordedAt per stream, incremental = rebuild", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(start)
      yield* openAndDeposit("a", 10)
      const projector = yield* Projector.make({
        projection: BankAccount.lastActivity,
        input: "recorded",
        eventSchema: BankAccount.Event
      })
      yield* TestClock.adjust("1 minute")
      yield* openAndDeposit("b", 20)
      yield* TestClock.adjust("1 minute")
      const last = yield* accounts.handle({ _tag: "Withdraw", accountId: "a", amount: 3 })
      const incremental = yield* projector.awaitPosition(last.events[0]!.position)
      assert.deepStrictEqual([...incremental.state], [
        [BankAccount.streamId("a"), start + 120_000],
        [BankAccount.streamId("b"), start + 60_000]
      ])
      // Rebuilt later, from the log: the times are those recorded, not the time of the rebuild.
      yield* TestClock.adjust("1 hour")
      assert.deepStrictEqual(yield* projector.rebuild, incremental)
    }).pipe(Effect.scoped, Effect.provide(MemoryEventStore.layer)))

  it.effect("combines with a projection of events lifted by Projection.recorded", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(start)
      const handled = yield* openAndDeposit("a", 10)
      const both = Projection.combine(Projection.recorded(BankAccount.balances), BankAccount.lastActivity)
      const projector = yield* Projector.make({ projection: both, input: "recorded", eventSchema: BankAccount.Event })
      const { state: [balances, lastActivity] } = yield* projector.awaitPosition(handled.events[0]!.position)
      assert.deepStrictEqual([...balances], [["a", 10]])
      assert.deepStrictEqual([...lastActivity], [["account-a", start]])
    }).pipe(Effect.scoped, Effect.provide(MemoryEventStore.layer)))

  it.effect("makePersistent saves and resumes a projection of envelopes", () =>
    Effect.gen(function*() {
      const persistent = Projector.makePersistent({
        name: "last-activity",
        stateSchema: Schema.ReadonlyMap(Schema.String, Schema.Int),
        projection: BankAccount.lastActivity,
        input: "recorded",
        eventSchema: BankAccount.Event
      })
      yield* TestClock.setTime(start)
      yield* openAndDeposit("a", 10)
      yield* Effect.scoped(Effect.flatMap(persistent, (projector) => projector.awaitPosition(2)))
      yield* TestClock.adjust("1 minute")
      yield* openAndDeposit("b", 20)
      const resumed = yield* Effect.scoped(Effect.flatMap(persistent, (projector) => projector.awaitPosition(4)))
      assert.deepStrictEqual([...resumed.state], [["account-a", start], ["account-b", start + 60_000]])
    }).pipe(Effect.provide(Layer.merge(MemoryEventStore.layer, MemoryCheckpointStore.layer))))

  it("a projection of envelopes needs input: \"recorded\", and one of events refuses it (types)", () => {
    const options = { eventSchema: BankAccount.Event }
    // @ts-expect-error: without `input: "recorded"` the projection must read events
    Projector.step({ ...options, projection: BankAccount.lastActivity })
    // @ts-expect-error: with `input: "recorded"` the projection must read envelopes
    Projector.step({ ...options, projection: BankAccount.balances, input: "recorded" })
    assert.isFunction(Projector.step({ ...options, projection: BankAccount.lastActivity, input: "recorded" }))
  })
})

describe("Projector.step", () => {
  const recorded = (position: number, data: BankAccount.Event) => ({
    streamId: BankAccount.streamIdOf(data),
    version: position,
    position,
    type: data._tag,
    data,
    metadata: { eventId: `e${position}`, recordedAt: 0 }
  })
  const apply = Projector.step({ projection: BankAccount.balances, eventSchema: BankAccount.Event })
  const history = [
    recorded(1, { _tag: "AccountOpened", accountId: "a", owner: "A" }),
    recorded(2, { _tag: "Deposited", accountId: "a", amount: 5 }),
    recorded(3, { _tag: "Deposited", accountId: "a", amount: 7 })
  ]

  it("re-delivery of applied positions is a no-op", () => {
    const once = Result.getOrThrow(apply({ state: Projection.initial(BankAccount.balances), position: 0 }, history))
    const again = Result.getOrThrow(apply(once, [history[1]!, history[2]!]))
    assert.deepStrictEqual(again, once)
    assert.strictEqual(once.state.get("a"), 12)
  })

  it("equals a plain fold of the decoded events", () => {
    const applied = Result.getOrThrow(apply({ state: Projection.initial(BankAccount.balances), position: 0 }, history))
    assert.deepStrictEqual(applied.state, Projection.fold(BankAccount.balances, history.map((r) => r.data)))
  })
})
