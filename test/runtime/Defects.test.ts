/**
 * Defects in user code — anything thrown, or an `Effect.die` — never hang a projector: its whole
 * Cause stops it with a recorded `ProjectionDefect` that says where, which `awaitPosition`, `rebuild`
 * and `changes` report. Closing the projector's scope is not a failure. In the command handler, a
 * throwing `decide` or `evolve` surfaces as a defect of the command's Effect, never swallowed.
 * Runs on the memory layers and on IndexedDB (fake-indexeddb).
 */
import "fake-indexeddb/auto"
import { ExpectedVersion, Projection } from "@chronicle/core"
import { BankAccount } from "@chronicle/examples"
import { CheckpointStore, CommandHandler, EventStore, Projector } from "@chronicle/runtime"
import { IndexedDbCheckpointStore, IndexedDbEventStore } from "@chronicle/store-indexeddb"
import type { IndexedDb } from "@chronicle/store-indexeddb"
import { MemoryCheckpointStore, MemoryEventStore } from "@chronicle/store-memory"
import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Exit, Fiber, Layer, Schema, SchemaGetter, Scope, Stream } from "effect"
import { accounts, bankAccount, boom, throwsOnDeposit } from "./fixtures.ts"

type Stores = EventStore.EventStore | CheckpointStore.CheckpointStore

let databases = 0

const layers: ReadonlyArray<readonly [string, () => Layer.Layer<Stores, IndexedDb.OpenError>]> = [
  ["memory", () => Layer.merge(MemoryEventStore.layer, MemoryCheckpointStore.layer)],
  ["indexeddb (fake-indexeddb)", () => {
    const name = `defects-${databases++}`
    return Layer.merge(IndexedDbEventStore.layer({ name }), IndexedDbCheckpointStore.layer({ name }))
  }]
]

const counting = Projection.make({ initialState: 0, evolve: (count: number, _event: BankAccount.Event) => count + 1 })

const openAndDeposit = Effect.gen(function*() {
  yield* accounts.handle({ _tag: "Open", accountId: "a", owner: "Ada" })
  return yield* accounts.handle({ _tag: "Deposit", accountId: "a", amount: 10 })
})

/** The error a projector stopped with, asserted to be a ProjectionDefect. */
const defectOf = (error: Projector.ProjectorError): Projector.ProjectionDefect => {
  assert.strictEqual(error._tag, "ProjectionDefect")
  return error as Projector.ProjectionDefect
}

/** A note whose Schema throws (a buggy filter) when it decodes 13. */
const Noted = Schema.TaggedStruct("Noted", {
  n: Schema.Int.check(Schema.makeFilter((n: number) => {
    if (n === 13) throw new Error("unlucky")
    return true
  }))
})

const note = (n: number) =>
  EventStore.EventStore.use((store) => store.append("notes", [{ type: "Noted", data: { _tag: "Noted", n } }], ExpectedVersion.any))

for (const [layerName, layer] of layers) {
  describe(`a defect stops the projector (${layerName})`, () => {
    it.live("a throwing evolve: awaitPosition fails with a ProjectionDefect naming the event", () =>
      Effect.gen(function*() {
        const { events } = yield* openAndDeposit
        const projector = yield* Projector.make({ projection: throwsOnDeposit, eventSchema: BankAccount.Event })
        const defect = defectOf(yield* Effect.flip(projector.awaitPosition(events[0]!.position)))
        assert.deepInclude(defect, { stage: "apply", position: 2, streamId: "account-a", type: "Deposited" })
        assert.strictEqual(Cause.squash(defect.cause), boom)
        assert.match(defect.message, /defect while applying event "Deposited" of stream "account-a" at position 2: boom/)
        // Nothing from the event that failed on was applied.
        assert.isBelow((yield* projector.current).position, 2)
        // Later waits fail at once, with the same error.
        assert.strictEqual(yield* Effect.flip(projector.awaitPosition(1)), defect)
      }).pipe(Effect.scoped, Effect.provide(layer())))

    it.live("a Schema that throws while decoding an event stops it with the event's position", () =>
      Effect.gen(function*() {
        for (const n of [1, 13, 2]) yield* note(n)
        const projector = yield* Projector.make({
          projection: Projection.make({ initialState: 0, evolve: (sum: number, event: typeof Noted.Type) => sum + event.n }),
          eventSchema: Noted
        })
        const defect = defectOf(yield* Effect.flip(projector.awaitPosition(3)))
        assert.deepInclude(defect, { stage: "apply", position: 2, streamId: "notes", type: "Noted" })
        assert.match(defect.message, /unlucky/)
        assert.isBelow((yield* projector.current).position, 2)
      }).pipe(Effect.scoped, Effect.provide(layer())))

    it.live("a throwing onClosed stops it at the archive marker", () =>
      Effect.gen(function*() {
        yield* openAndDeposit
        const { events } = yield* EventStore.archive("account-a")
        const projector = yield* Projector.make({
          projection: counting,
          eventSchema: BankAccount.Event,
          onClosed: () => {
            throw boom
          }
        })
        const defect = defectOf(yield* Effect.flip(projector.awaitPosition(events[0]!.position)))
        assert.deepInclude(defect, { stage: "apply", position: 3, streamId: "account-a", type: EventStore.archivedType })
        assert.isBelow((yield* projector.current).position, 3)
      }).pipe(Effect.scoped, Effect.provide(layer())))

    it.live("an onApplied that dies stops it, and the checkpoint does not move", () =>
      Effect.gen(function*() {
        const { events } = yield* openAndDeposit
        const projector = yield* Projector.make({
          projection: counting,
          eventSchema: BankAccount.Event,
          onApplied: () => Effect.die(boom)
        })
        const defect = defectOf(yield* Effect.flip(projector.awaitPosition(events[0]!.position)))
        assert.strictEqual(defect.stage, "onApplied")
        assert.strictEqual(defect.streamId, undefined)
        assert.strictEqual(Cause.squash(defect.cause), boom)
        assert.match(defect.message, /in onApplied at position \d: boom/)
        assert.deepStrictEqual(yield* projector.current, { state: 0, position: 0 })
      }).pipe(Effect.scoped, Effect.provide(layer())))

    it.live("changes emits the read model, then ends with the defect", () =>
      Effect.gen(function*() {
        const projector = yield* Projector.make({ projection: throwsOnDeposit, eventSchema: BankAccount.Event })
        const seen: Array<number> = []
        const watching = yield* projector.changes.pipe(
          Stream.runForEach((checkpoint) => Effect.sync(() => void seen.push(checkpoint.position))),
          Effect.flip,
          Effect.forkScoped
        )
        yield* Effect.yieldNow
        yield* openAndDeposit
        const defect = defectOf(yield* Fiber.join(watching))
        assert.strictEqual(defect.position, 2)
        assert.strictEqual(seen[0], 0)
        assert.strictEqual(seen.at(-1), 1)
        // Watched after it stopped: the stream ends at once.
        assert.strictEqual(yield* Effect.flip(Stream.runDrain(projector.changes)), defect)
      }).pipe(Effect.scoped, Effect.provide(layer())))

    it.live("rebuild fails with the defect of the replay", () =>
      Effect.gen(function*() {
        let broken = false
        const projector = yield* Projector.make({
          projection: Projection.make({
            initialState: 0,
            evolve: (count: number, _event: BankAccount.Event) => {
              if (broken) throw boom
              return count + 1
            }
          }),
          eventSchema: BankAccount.Event
        })
        const { events } = yield* openAndDeposit
        assert.deepStrictEqual(yield* projector.awaitPosition(events[0]!.position), { state: 2, position: 2 })
        broken = true
        const defect = defectOf(yield* Effect.flip(projector.rebuild))
        assert.deepInclude(defect, { stage: "apply", position: 1, type: "AccountOpened" })
        // A rebuild that succeeds clears the failure.
        broken = false
        assert.deepStrictEqual(yield* projector.rebuild, { state: 2, position: 2 })
      }).pipe(Effect.scoped, Effect.provide(layer())))

    it.live("makePersistent: a state Schema that throws on encode stops it in onApplied", () =>
      Effect.gen(function*() {
        const { events } = yield* openAndDeposit
        const projector = yield* Projector.makePersistent({
          name: "counted",
          stateSchema: Schema.Number.pipe(Schema.decodeTo(Schema.Number, {
            decode: SchemaGetter.transform((n: number) => n),
            encode: SchemaGetter.transform(() => {
              throw boom
            })
          })),
          projection: counting,
          eventSchema: BankAccount.Event
        })
        const defect = defectOf(yield* Effect.flip(projector.awaitPosition(events[0]!.position)))
        assert.strictEqual(defect.stage, "onApplied")
        assert.match(defect.message, /boom/)
        assert.isTrue((yield* CheckpointStore.CheckpointStore.use((checkpoints) => checkpoints.load("counted")))._tag === "None")
      }).pipe(Effect.scoped, Effect.provide(layer())))

    it.live("makePersistent: a throwing evolve stops it with the event", () =>
      Effect.gen(function*() {
        const { events } = yield* openAndDeposit
        const projector = yield* Projector.makePersistent({
          name: "throws",
          stateSchema: Schema.Number,
          projection: throwsOnDeposit,
          eventSchema: BankAccount.Event
        })
        const defect = defectOf(yield* Effect.flip(projector.awaitPosition(events[0]!.position)))
        assert.deepInclude(defect, { stage: "apply", position: 2, type: "Deposited" })
      }).pipe(Effect.scoped, Effect.provide(layer())))

    it.live("closing the projector's scope is not a failure", () =>
      Effect.gen(function*() {
        const { events } = yield* openAndDeposit
        const scope = yield* Scope.make()
        const projector = yield* Projector.make({ projection: counting, eventSchema: BankAccount.Event }).pipe(
          Scope.provide(scope)
        )
        yield* projector.awaitPosition(events[0]!.position)
        yield* Scope.close(scope, Exit.void)
        yield* Effect.sleep("10 millis")
        // Its last read model is still there, with no failure recorded.
        const last = yield* Stream.runHead(projector.changes)
        assert.deepStrictEqual(last._tag === "Some" ? last.value : undefined, { state: 2, position: 2 })
      }).pipe(Effect.scoped, Effect.provide(layer())))
  })
}

describe("a defect in the store's subscription", () => {
  /** A store whose subscription dies after delivering what is recorded. */
  const dyingSubscription = Layer.effect(
    EventStore.EventStore,
    Effect.gen(function*() {
      const store = yield* EventStore.EventStore
      return {
        ...store,
        subscribe: (range) => Stream.concat(store.readAll(range), Stream.die(boom))
      } satisfies EventStore.Service
    })
  ).pipe(Layer.provide(MemoryEventStore.layer))

  it.effect("stops the projector at the position it reached, in stage read", () =>
    Effect.gen(function*() {
      const { events } = yield* openAndDeposit
      const projector = yield* Projector.make({ projection: counting, eventSchema: BankAccount.Event })
      const defect = defectOf(yield* Effect.flip(projector.awaitPosition(events[0]!.position + 1)))
      assert.deepInclude(defect, { stage: "read", position: 2 })
      assert.match(defect.message, /defect while reading the log after position 2: boom/)
      assert.deepStrictEqual(yield* projector.current, { state: 2, position: 2 })
    }).pipe(Effect.scoped, Effect.provide(dyingSubscription)))
})

describe("a defect in a decider surfaces from handle", () => {
  const diesWith = <A, E>(exit: Exit.Exit<A, E>, defect: unknown) => {
    assert.isTrue(Exit.isFailure(exit))
    if (Exit.isFailure(exit)) {
      assert.isTrue(Cause.hasDies(exit.cause))
      assert.strictEqual(Cause.squash(exit.cause), defect)
    }
  }

  it.effect("a throwing decide is a defect of the command, and nothing is appended", () =>
    Effect.gen(function*() {
      const throwing = CommandHandler.make({
        ...bankAccount,
        decider: {
          ...BankAccount.decider,
          decide: () => {
            throw boom
          }
        }
      })
      diesWith(yield* Effect.exit(throwing.handle({ _tag: "Open", accountId: "a", owner: "Ada" })), boom)
      assert.strictEqual(yield* EventStore.EventStore.use((store) => store.lastPosition), 0)
    }).pipe(Effect.provide(MemoryEventStore.layer)))

  it.effect("a throwing evolve is a defect of the command, on load as after deciding", () =>
    Effect.gen(function*() {
      const throwing = CommandHandler.make({
        ...bankAccount,
        decider: {
          ...BankAccount.decider,
          evolve: (state: BankAccount.State, event: BankAccount.Event) => {
            if (event._tag === "Deposited") throw boom
            return BankAccount.decider.evolve(state, event)
          }
        }
      })
      yield* accounts.handle({ _tag: "Open", accountId: "a", owner: "Ada" })
      diesWith(yield* Effect.exit(throwing.handle({ _tag: "Deposit", accountId: "a", amount: 1 })), boom)
      yield* accounts.handle({ _tag: "Deposit", accountId: "a", amount: 1 })
      diesWith(yield* Effect.exit(throwing.load(BankAccount.streamId("a"))), boom)
    }).pipe(Effect.provide(MemoryEventStore.layer)))
})

