/**
 * `EventStore.validate`, the check every layer makes before it writes, on inputs built to break a
 * naive checker: payloads 200,000 levels deep (the check must not overflow the stack), shared
 * sub-trees (it must not walk every path), cycles, and markers whose type was changed after they
 * were made. Then that a LogFile import keeps a marker's metadata, through the same check.
 */
import { Envelope } from "@chronicle/core"
import { BankAccount } from "@chronicle/examples"
import { EventStore, LogFile } from "@chronicle/runtime"
import { MemoryEventStore } from "@chronicle/store-memory"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import { nested, shared } from "./payloads.ts"


const refusal = (events: ReadonlyArray<EventStore.Pending>) => {
  const exit = Effect.runSyncExit(EventStore.validate("s", events))
  return Exit.isFailure(exit) ? Exit.findErrorOption(exit) : undefined
}

const reasonOf = (events: ReadonlyArray<EventStore.Pending>) => {
  const error = refusal(events)
  return error?._tag === "Some" ? error.value.reason : "accepted"
}

describe("EventStore.validate", () => {
  it("refuses a payload 200,000 levels deep with a StoreError, without overflowing the stack", () => {
    assert.match(reasonOf([{ type: "Deep", data: nested(200_000) }]), /event 1 \("Deep"\): its data nests .* more than 64 levels deep/)
  })

  it("counts depth, not paths: sub-trees shared 63 levels deep are accepted at once", () => {
    const started = performance.now()
    assert.strictEqual(reasonOf([{ type: "Shared", data: shared(Envelope.maxDepth - 1) }]), "accepted")
    assert.isBelow(performance.now() - started, 1_000)
    assert.isFalse(Envelope.isWithinDepth(shared(Envelope.maxDepth + 1)))
  })

  it("a value that throws when read is not within any depth: isWithinDepth answers false, it does not throw", () => {
    const unreadable = new Proxy({}, {
      ownKeys: () => {
        throw new Error("ownKeys trap")
      }
    })
    assert.isFalse(Envelope.isWithinDepth({ a: [unreadable] }))
  })

  it("returns a frozen plain copy of each payload, a shared sub-tree copied once and shared in the copy", () => {
    const data = shared(Envelope.maxDepth - 1)
    const [event] = Effect.runSync(EventStore.validate("s", [{ type: "Shared", data }]))
    let copy = event!.data
    let original = data
    for (let level = 1; level < Envelope.maxDepth; level++) {
      const pair = copy as ReadonlyArray<unknown>
      assert.notStrictEqual(pair, original)
      assert.isTrue(Object.isFrozen(pair))
      assert.strictEqual(pair[0], pair[1])
      copy = pair[0]
      original = (original as ReadonlyArray<unknown>)[0]
    }
    assert.strictEqual(copy, 1)
    const small = shared(4)
    assert.deepStrictEqual(Effect.runSync(EventStore.validate("s", [{ type: "Shared", data: small }]))[0]!.data, small)
  })

  it("depth is counted in containers: the limit is accepted, one more level is not, a cycle never ends", () => {
    assert.isTrue(Envelope.isWithinDepth(1))
    assert.isTrue(Envelope.isWithinDepth({ a: nested(Envelope.maxDepth - 1) }))
    assert.isFalse(Envelope.isWithinDepth({ a: nested(Envelope.maxDepth) }))
    const cycle: Array<unknown> = []
    cycle.push({ back: cycle })
    assert.isFalse(Envelope.isWithinDepth(cycle))
    assert.match(reasonOf([{ type: "Cyclic", data: cycle }]), /more than 64 levels deep \(or in a cycle\)/)
  })

  it("a marker is a marker only with its own type and data", () => {
    assert.strictEqual(reasonOf([EventStore.marker(EventStore.deletedType, { trace: { correlationId: "c" } })]), "accepted")
    assert.match(reasonOf([{ ...EventStore.marker(EventStore.archivedType), type: "$Other" }]), /its type is reserved/)
    const swapped = { ...EventStore.marker(EventStore.archivedType), type: EventStore.deletedType }
    assert.match(reasonOf([swapped]), /malformed life-cycle marker/)
    assert.isTrue(EventStore.isReserved("$anything"))
    assert.isFalse(EventStore.isReserved("Deposited$"))
  })

  it.effect("an import keeps a marker's event id, time and trace", () =>
    Effect.gen(function*() {
      const metadata = { eventId: "m-1", recordedAt: 5, correlationId: "c-1" }
      const opened = { _tag: "AccountOpened", accountId: "a", owner: "Ada" }
      const file: LogFile.LogFile = {
        format: "chronicle-log",
        formatVersion: 1,
        events: [
          { streamId: "account-a", version: 1, position: 1, type: "AccountOpened", data: opened, metadata: { eventId: "e-1", recordedAt: 1 } },
          { streamId: "account-a", version: 2, position: 2, type: EventStore.archivedType, data: { _tag: EventStore.archivedType }, metadata }
        ]
      }
      assert.strictEqual(yield* LogFile.importLog(file, [{ eventSchema: BankAccount.Event }]), 2)
      assert.deepStrictEqual(yield* LogFile.exportLog, file)
    }).pipe(Effect.provide(MemoryEventStore.layer)))
})
