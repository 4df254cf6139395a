/**
 * Appender appends typed events outside a command handler: encoded as the handler encodes them
 * (JSON form, type from `_tag`, current schema version, reserved types refused), at the caller's
 * expected version, with the caller's trace; one stream or several in one all-or-nothing write.
 */
import { ExpectedVersion, Projection } from "@chronicle/core"
import { BankAccount, User } from "@chronicle/examples"
import { Appender, CommandHandler, EventStore, Rebuild, StreamState } from "@chronicle/runtime"
import { MemoryEventStore } from "@chronicle/store-memory"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Schema, Stream } from "effect"
import { accounts, user } from "./fixtures.ts"

const bank = Appender.make({ eventSchema: BankAccount.Event })

const opened = (accountId: string): BankAccount.Event => ({ _tag: "AccountOpened", accountId, owner: accountId })
const deposited = (accountId: string, amount: number): BankAccount.Event => ({ _tag: "Deposited", accountId, amount })

const lastPosition = EventStore.EventStore.use((store) => store.lastPosition)

const recorded = (streamId: string) => EventStore.EventStore.use((store) => store.read(streamId).pipe(Stream.runCollect))

/** A record without what the store draws fresh for each event (its id). */
const withoutId = ({ metadata: { eventId: _, ...metadata }, ...record }: EventStore.AppendResult["events"][number]) => ({
  ...record,
  metadata
})

describe("Appender", () => {
  it.effect("appends typed events as the handler records the same events: same types, data and trace", () =>
    Effect.gen(function*() {
      const trace = { correlationId: "c-1", causationId: "k-1" }
      const handled = yield* Effect.gen(function*() {
        yield* accounts.handle({ _tag: "Open", accountId: "a", owner: "a" }, trace)
        yield* accounts.handle({ _tag: "Deposit", accountId: "a", amount: 70 }, trace)
        return yield* recorded("account-a")
      }).pipe(Effect.provide(Layer.fresh(MemoryEventStore.layer))) // a store of its own
      const appended = yield* bank.append("account-a", [opened("a"), deposited("a", 70)], ExpectedVersion.noStream, trace)
      assert.strictEqual(appended.version, 2)
      assert.deepStrictEqual(appended.events.map(withoutId), handled.map(withoutId))
      assert.strictEqual(appended.events[1]!.metadata.correlationId, "c-1")
      assert.deepStrictEqual((yield* recorded("account-a")).map(withoutId), handled.map(withoutId))
      // What it wrote loads as the handler's state.
      const loaded = yield* StreamState.make({ decider: BankAccount.decider, eventSchema: BankAccount.Event }).load("account-a")
      assert.deepStrictEqual(loaded, { state: { _tag: "Opened", balance: 70 }, version: 2 })
    }).pipe(Effect.provide(MemoryEventStore.layer)))

  it.effect("encodes through the Schema's JSON form, and tags events with their current schema version", () =>
    Effect.gen(function*() {
      const Noted = Schema.TaggedStruct("Noted", { at: Schema.Date, n: Schema.BigInt })
      const notes = Appender.make({ eventSchema: Noted })
      const { events } = yield* notes.append("notes", [{ _tag: "Noted", at: new Date(0), n: 12n }], ExpectedVersion.any)
      assert.deepStrictEqual(events[0]!.data, { _tag: "Noted", at: "1970-01-01T00:00:00.000Z", n: "12" })
      // and reads back as the typed event
      const { state } = yield* Rebuild.make({
        projection: Projection.make({ initialState: [] as ReadonlyArray<typeof Noted.Type>, evolve: (all, note: typeof Noted.Type) => [...all, note] }),
        eventSchema: Noted
      }).fromZero
      assert.deepStrictEqual(state, [{ _tag: "Noted", at: new Date(0), n: 12n }])

      const users = Appender.make({ eventSchema: User.Event, upcasters: User.upcasters })
      const registered = { _tag: "UserRegistered", userId: "u", givenName: "Ada", familyName: "Lovelace", email: "ada@example.com" } as const
      const written = yield* users.append("user-u", [registered], ExpectedVersion.noStream)
      const byHandler = yield* CommandHandler.make(user).handle({
        _tag: "Register",
        userId: "v",
        givenName: "Ada",
        familyName: "Lovelace",
        email: "ada@example.com"
      })
      assert.strictEqual(written.events[0]!.metadata.schemaVersion, 2)
      assert.strictEqual(written.events[0]!.metadata.schemaVersion, byHandler.events[0]!.metadata.schemaVersion)
    }).pipe(Effect.provide(MemoryEventStore.layer)))

  it.effect("checks the expected version: a conflict names the stream and writes nothing", () =>
    Effect.gen(function*() {
      yield* bank.append("account-a", [opened("a")], ExpectedVersion.noStream)
      const conflict = yield* Effect.flip(bank.append("account-a", [deposited("a", 5)], ExpectedVersion.noStream))
      assert.strictEqual(conflict._tag, "WrongExpectedVersion")
      assert.deepInclude(conflict, { streamId: "account-a", actual: 1 })
      assert.strictEqual(yield* lastPosition, 1)
      const { version } = yield* bank.append("account-a", [deposited("a", 5)], ExpectedVersion.exact(1))
      assert.strictEqual(version, 2)
    }).pipe(Effect.provide(MemoryEventStore.layer)))

  it.effect("an event its Schema refuses, or of a reserved type, fails with EventEncodeError before anything is written", () =>
    Effect.gen(function*() {
      const refused = yield* Effect.flip(bank.append("account-a", [opened("a"), deposited("a", -5)], ExpectedVersion.any))
      assert.strictEqual(refused._tag, "EventEncodeError")
      assert.deepInclude(refused, { streamId: "account-a", type: "Deposited" })
      assert.match(refused.message, /Event "Deposited" for stream "account-a" does not encode/)
      const Marker = Schema.TaggedStruct("$StreamDeleted", {})
      const reserved = yield* Effect.flip(Appender.make({ eventSchema: Marker }).append("account-a", [{ _tag: "$StreamDeleted" }], ExpectedVersion.any))
      assert.strictEqual(reserved._tag, "EventEncodeError")
      assert.match(reserved.message, /reserved/)
      assert.strictEqual(yield* lastPosition, 0)
    }).pipe(Effect.provide(MemoryEventStore.layer)))

  it.effect("a closed stream refuses the append with StreamClosed", () =>
    Effect.gen(function*() {
      yield* bank.append("account-a", [opened("a")], ExpectedVersion.noStream)
      yield* EventStore.archive("account-a")
      const closed = yield* Effect.flip(bank.append("account-a", [deposited("a", 5)], ExpectedVersion.any))
      assert.deepInclude(closed, { _tag: "StreamClosed", streamId: "account-a", closure: "Archived" })
    }).pipe(Effect.provide(MemoryEventStore.layer)))

  describe("appendMany", () => {
    it.effect("writes several streams in one write, each at its expected version, the trace on every event", () =>
      Effect.gen(function*() {
        yield* bank.append("account-a", [opened("a")], ExpectedVersion.noStream)
        const results = yield* bank.appendMany([
          { streamId: "account-a", events: [deposited("a", 10)], expected: ExpectedVersion.exact(1) },
          { streamId: "account-b", events: [opened("b"), deposited("b", 20)], expected: ExpectedVersion.noStream }
        ], { trace: { correlationId: "import-1" } })
        assert.deepStrictEqual(results.map(({ version }) => version), [2, 2])
        const events = results.flatMap((result) => result.events)
        assert.deepStrictEqual(events.map(({ position, streamId }) => [streamId, position]), [
          ["account-a", 2],
          ["account-b", 3],
          ["account-b", 4]
        ])
        assert.isTrue(events.every(({ metadata }) => metadata.correlationId === "import-1"))
        const { state } = yield* Rebuild.make({ projection: BankAccount.balances, eventSchema: BankAccount.Event }).fromZero
        assert.deepStrictEqual([...state], [["a", 10], ["b", 20]])
      }).pipe(Effect.provide(MemoryEventStore.layer)))

    it.effect("an event that does not encode in any batch fails the whole write before anything is written", () =>
      Effect.gen(function*() {
        const refused = yield* Effect.flip(bank.appendMany([
          { streamId: "account-a", events: [opened("a")], expected: ExpectedVersion.noStream },
          { streamId: "account-b", events: [opened("b"), deposited("b", 0)], expected: ExpectedVersion.noStream }
        ]))
        assert.deepInclude(refused, { _tag: "EventEncodeError", streamId: "account-b", type: "Deposited" })
        assert.strictEqual(yield* lastPosition, 0)
      }).pipe(Effect.provide(MemoryEventStore.layer)))

    it.effect("a conflict in one batch, or a log not at expectedLastPosition, writes nothing", () =>
      Effect.gen(function*() {
        yield* bank.append("account-b", [opened("b")], ExpectedVersion.noStream)
        const conflict = yield* Effect.flip(bank.appendMany([
          { streamId: "account-a", events: [opened("a")], expected: ExpectedVersion.noStream },
          { streamId: "account-b", events: [opened("b")], expected: ExpectedVersion.noStream }
        ]))
        assert.deepInclude(conflict, { _tag: "WrongExpectedVersion", streamId: "account-b", actual: 1 })
        const moved = yield* Effect.flip(bank.appendMany([
          { streamId: "account-a", events: [opened("a")], expected: ExpectedVersion.noStream }
        ], { expectedLastPosition: 0 }))
        assert.deepInclude(moved, { _tag: "WrongExpectedPosition", expected: 0, actual: 1 })
        assert.strictEqual(yield* lastPosition, 1)
      }).pipe(Effect.provide(MemoryEventStore.layer)))
  })
})
