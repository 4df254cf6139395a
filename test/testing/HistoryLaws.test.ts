import { BankAccount, User } from "@chronicle/examples"
import { EventStore, SnapshotStore } from "@chronicle/runtime"
import { MemoryEventStore, MemorySnapshotStore } from "@chronicle/store-memory"
import { HistoryLaws } from "@chronicle/testing"
import { describe, it } from "@effect/vitest"
import { Effect, Layer, Schema, SchemaGetter, Stream } from "effect"
import fc from "fast-check"
import { domains } from "../examples/Arbitraries.ts"
import { assertFalsified } from "./falsified.ts"

const bank = { ...domains.BankAccount }
const stores = Layer.merge(MemoryEventStore.layer, MemorySnapshotStore.layer)
const snapshots = { stateSchema: BankAccount.State, stateVersion: 1, every: 3 }

/** A snapshot store that saves a wrong balance: the law must notice. */
const corruptSnapshots = Layer.effect(
  SnapshotStore.SnapshotStore,
  Effect.map(MemorySnapshotStore.make, (inner): SnapshotStore.Service => ({
    ...inner,
    save: (streamId, snapshot) =>
      inner.save(streamId, { ...snapshot, state: { _tag: "Opened", balance: 1_000_000 } })
  }))
)

/** A snapshot store that forgets which commands a snapshot covers: repeats after it append again. */
const idlessSnapshots = Layer.effect(
  SnapshotStore.SnapshotStore,
  Effect.map(MemorySnapshotStore.make, (inner): SnapshotStore.Service => ({
    ...inner,
    save: (streamId, snapshot) => inner.save(streamId, { ...snapshot, commandIds: [] })
  }))
)

/** An event store that forgets the command id of what it records: idempotency must break. */
const forgetfulStore = Layer.effect(
  EventStore.EventStore,
  Effect.gen(function*() {
    const store = yield* EventStore.EventStore
    return {
      ...store,
      read: (streamId, range) =>
        store.read(streamId, range).pipe(
          Stream.map(({ metadata: { commandId: _, ...metadata }, ...recorded }) => ({ ...recorded, metadata }))
        )
    } satisfies EventStore.Service
  })
).pipe(Layer.provide(MemoryEventStore.layer))

const oldRegistrations = fc.record({
  userId: fc.constantFrom("u1", "u2"),
  name: fc.constantFrom("Ada", "Ada Lovelace", "Ada King Lovelace", "Grace Brewster Murray Hopper"),
  email: fc.constantFrom("ada@example.com", "grace@example.org")
}).map((v1) => ({ type: "UserRegistered", schemaVersion: 1, data: { _tag: "UserRegistered", ...v1 } }))

describe("HistoryLaws", () => {
  it("snapshotsChangeNothing holds for the bank account on the memory stores", async () => {
    await fc.assert(HistoryLaws.snapshotsChangeNothing({ ...bank, snapshots, layer: stores }), { numRuns: 100 })
  })

  it("snapshotsChangeNothing fails on a snapshot store that corrupts states", async () => {
    const details = await fc.check(
      HistoryLaws.snapshotsChangeNothing({
        ...bank,
        snapshots,
        layer: Layer.merge(MemoryEventStore.layer, corruptSnapshots)
      }),
      { numRuns: 100 }
    )
    assertFalsified(details, /handled with snapshots, it came to another outcome|snapshot \+ tail differs from a full replay/)
  })

  it("snapshotsChangeNothing fails on a snapshot store that drops command ids", async () => {
    const details = await fc.check(
      HistoryLaws.snapshotsChangeNothing({ ...bank, snapshots, layer: Layer.merge(MemoryEventStore.layer, idlessSnapshots) }),
      { numRuns: 200 }
    )
    assertFalsified(details, "handled with snapshots, it came to another outcome")
  })

  it("idempotentCommands holds for the bank account on the memory store", async () => {
    await fc.assert(HistoryLaws.idempotentCommands({ ...bank, layer: MemoryEventStore.layer }), { numRuns: 100 })
  })

  it("idempotentCommands fails when the command ids are lost", async () => {
    const details = await fc.check(HistoryLaws.idempotentCommands({ ...bank, layer: forgetfulStore }), { numRuns: 100 })
    assertFalsified(details, /sent again: (it was refused instead of returning its first outcome|outcomes differ|the store's last positions differ)/)
  })

  it("upcastThenDecode holds for the user's name split", () => {
    fc.assert(HistoryLaws.upcastThenDecode({ schema: User.Event, upcasters: User.upcasters, old: oldRegistrations }), {
      numRuns: 100
    })
  })

  it("upcastThenDecode fails on an upcaster that leaves the payload in the old shape", () => {
    const broken = { UserRegistered: [(v1: unknown) => v1] }
    const details = fc.check(HistoryLaws.upcastThenDecode({ schema: User.Event, upcasters: broken, old: oldRegistrations }))
    assertFalsified(details, "an old payload does not upcast and decode")
  })

  it("upcastThenDecode fails on a current codec that loses some of what the upcasters produce", () => {
    // Version 1 counted in `count`; version 2 calls it `amount`, and its codec clamps it to 3 on the way out.
    const Clamped = Schema.Int.pipe(Schema.decodeTo(Schema.Int, {
      decode: SchemaGetter.transform((n: number) => n),
      encode: SchemaGetter.transform((n: number) => Math.min(n, 3))
    }))
    const Event = Schema.TaggedUnion({ Counted: { amount: Clamped } })
    const upcasters = { Counted: [(v1: unknown) => ({ _tag: "Counted", amount: (v1 as { readonly count: number }).count })] }
    const old = fc.nat({ max: 10 }).map((count) => ({ type: "Counted", schemaVersion: 1, data: { _tag: "Counted", count } }))
    const details = fc.check(HistoryLaws.upcastThenDecode({ schema: Event, upcasters, old }), { numRuns: 100 })
    assertFalsified(details, "the upcast event and the current-shape event differ")
  })
})
