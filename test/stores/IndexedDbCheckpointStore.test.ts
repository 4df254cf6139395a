/**
 * Checkpoints in IndexedDB: a persistent projector resumes after a reload from the read model it
 * saved, instead of replaying from zero, and a rebuild still gives the same read model.
 */
import "fake-indexeddb/auto"
import { ExpectedVersion, Projection } from "@chronicle/core"
import { CheckpointStore, EventStore, Projector } from "@chronicle/runtime"
import { IndexedDbCheckpointStore, IndexedDbEventStore } from "@chronicle/store-indexeddb"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Option, Schedule, Schema } from "effect"

let databases = 0

const Noted = Schema.TaggedStruct("Noted", { n: Schema.Int })

/** The read model: the numbers noted so far, in order. */
const noted = Projection.make({
  initialState: [] as ReadonlyArray<number>,
  evolve: (state, event: typeof Noted.Type) => [...state, event.n]
})

const projector = Projector.makePersistent({
  name: "noted",
  stateSchema: Schema.Array(Schema.Int),
  projection: noted,
  eventSchema: Noted
})

const saved = CheckpointStore.CheckpointStore.use((checkpoints) => checkpoints.load("noted"))

const note = (n: number) => EventStore.EventStore.use((store) =>
  store.append("s", [{ type: "Noted", data: { _tag: "Noted", n } }], ExpectedVersion.any)
)

describe("IndexedDbCheckpointStore", () => {
  it.live("a persistent projector resumes from its checkpoint after a reload, and rebuilds to the same read model", () =>
    Effect.gen(function*() {
      const name = `checkpoints-${databases++}`
      const session = Layer.mergeAll(IndexedDbEventStore.layer({ name }), IndexedDbCheckpointStore.layer({ name }))

      yield* Effect.gen(function*() {
        const first = yield* projector
        for (const n of [1, 2, 3]) yield* note(n)
        assert.deepStrictEqual(yield* first.awaitPosition(3), { state: [1, 2, 3], position: 3 })
        // The checkpoint is saved just after the read model moves: wait for it before "reloading".
        yield* saved.pipe(
          Effect.repeat({ schedule: Schedule.spaced("5 millis"), until: (checkpoint) => Option.exists(checkpoint, ({ position }) => position === 3) })
        )
      }).pipe(Effect.scoped, Effect.provide(session))

      // After the reload: the saved read model is there before any event is read again.
      yield* Effect.gen(function*() {
        assert.deepStrictEqual(yield* saved, Option.some({ position: 3, state: [1, 2, 3] }))
        const second = yield* projector
        assert.deepStrictEqual(yield* second.current, { state: [1, 2, 3], position: 3 })
        yield* note(4)
        assert.deepStrictEqual(yield* second.awaitPosition(4), { state: [1, 2, 3, 4], position: 4 })
        assert.deepStrictEqual(yield* second.rebuild, { state: [1, 2, 3, 4], position: 4 })
      }).pipe(Effect.scoped, Effect.provide(session))
    }))

  it.live("an unknown name has no checkpoint; a saved one is replaced by the next save", () =>
    Effect.gen(function*() {
      const checkpoints = yield* IndexedDbCheckpointStore.make({ name: `checkpoints-${databases++}` })
      assert.deepStrictEqual(yield* checkpoints.load("none"), Option.none())
      yield* checkpoints.save("p", { position: 1, state: { total: 1 } })
      yield* checkpoints.save("p", { position: 2, state: { total: 3 } })
      assert.deepStrictEqual(yield* checkpoints.load("p"), Option.some({ position: 2, state: { total: 3 } }))
    }).pipe(Effect.scoped))
})
