import { ExpectedVersion } from "@chronicle/core"
import { User } from "@chronicle/examples"
import { CommandHandler, EventStore, Projector } from "@chronicle/runtime"
import { MemoryEventStore } from "@chronicle/store-memory"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Stream } from "effect"
import { user } from "./fixtures.ts"

const users = CommandHandler.make(user)

const registeredV1 = { _tag: "UserRegistered", userId: "u1", name: "Ada King Lovelace", email: "ada@example.com" }

/** Writes a record as code from before the change did: schema version 1 (no schemaVersion). */
const writeV1 = (data: unknown = registeredV1) =>
  EventStore.EventStore.use((store) => store.append("user-u1", [{ type: "UserRegistered", data }], ExpectedVersion.any))

const names = Projector.make({
  projection: {
    initialState: [] as ReadonlyArray<string>,
    evolve: (names, event: User.Event) =>
      event._tag === "UserRegistered" ? [...names, `${event.familyName}, ${event.givenName}`] : names
  },
  eventSchema: User.Event,
  upcasters: User.upcasters
})

describe("event versioning", () => {
  it.effect("new events are written with their type's current schema version", () =>
    Effect.gen(function*() {
      yield* users.handle({ _tag: "Register", userId: "u2", givenName: "Grace", familyName: "Hopper", email: "g@example.com" })
      yield* users.handle({ _tag: "ChangeEmail", userId: "u2", email: "grace@example.com" })
      const records = yield* EventStore.EventStore.use((store) => Stream.runCollect(store.read("user-u2")))
      assert.deepStrictEqual(records.map((r) => r.metadata.schemaVersion), [2, undefined])
    }).pipe(Effect.provide(MemoryEventStore.layer)))

  it.effect("old records are upcast on load: the decider sees only the current shape", () =>
    Effect.gen(function*() {
      yield* writeV1()
      const handled = yield* users.handle({ _tag: "ChangeEmail", userId: "u1", email: "lovelace@example.com" })
      assert.strictEqual(handled.version, 2)
      const projector = yield* names
      const { state } = yield* projector.awaitPosition(2)
      assert.deepStrictEqual(state, ["Lovelace, Ada King"])
    }).pipe(Effect.scoped, Effect.provide(MemoryEventStore.layer)))

  it.effect("a record from a newer schema version is a typed error naming where it sits", () =>
    Effect.gen(function*() {
      const store = yield* EventStore.EventStore
      yield* store.append("user-u1", [{ type: "UserRegistered", data: registeredV1, schemaVersion: 3 }], ExpectedVersion.any)
      const error = yield* Effect.flip(users.handle({ _tag: "Deactivate", userId: "u1" }))
      assert.strictEqual(error._tag, "EventDecodeError")
      assert.deepInclude(error, { streamId: "user-u1", version: 1, position: 1, schemaVersion: 3 })
      assert.match(error.message, /schema version 3 is unknown here \(the current version is 2\)/)
    }).pipe(Effect.provide(MemoryEventStore.layer)))

  it.effect("an old record the upcaster cannot handle is a typed error, not a skip", () =>
    Effect.gen(function*() {
      yield* writeV1({ _tag: "UserRegistered", userId: "u1", email: "ada@example.com" })
      const projector = yield* names
      const error = yield* Effect.flip(projector.awaitPosition(1))
      assert.deepInclude(error, { _tag: "EventDecodeError", position: 1, schemaVersion: 1 })
      assert.match(error.message, /upcaster from version 1 to 2 failed/)
    }).pipe(Effect.scoped, Effect.provide(MemoryEventStore.layer)))
})
