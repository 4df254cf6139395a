/**
 * The validation part of the EventStore contract: what a layer records is checked before it is
 * written, the same way on every layer (`EventStore.validate`). Metadata must be what
 * `Envelope.Metadata` allows, types starting with `$` are the store's own (only life-cycle markers
 * of the fixed shape `EventStore.marker` builds are accepted), and payloads nest at most `Envelope.maxDepth` levels. Each refusal
 * is a `StoreError` naming the event, its type and what is wrong, and writes nothing; whatever is
 * accepted reads back as a valid `Envelope.Recorded` that `JSON.stringify` can export.
 *
 * @internal
 */
import { Envelope, ExpectedVersion } from "@chronicle/core"
import { EventStore } from "@chronicle/runtime"
import { Effect, Schema } from "effect"
import * as Expect from "../expect.ts"
import type { Check, MakeLayer } from "./support.ts"
import { batch, pending, readLog, readStream, refusedWhole, withStore } from "./support.ts"

/** A payload of `depth` nested arrays around a number, built without recursion. */
const nested = (depth: number): unknown => {
  let value: unknown = 1
  for (let i = 0; i < depth; i++) value = [value]
  return value
}

/** Events whose metadata `Envelope.Metadata` refuses, with the field the refusal must name. */
const badMetadata: ReadonlyArray<readonly [string, string, Partial<EventStore.Pending>]> = [
  ["an empty event id", "eventId", { eventId: "" }],
  ["an event id that is a number", "eventId", { eventId: 7 as never }],
  ["a NaN time of recording", "recordedAt", { recordedAt: Number.NaN }],
  ["an infinite time of recording", "recordedAt", { recordedAt: Number.POSITIVE_INFINITY }],
  ["a fractional time of recording", "recordedAt", { recordedAt: 1.5 }],
  ["an empty correlation id", "correlationId", { trace: { correlationId: "" } }],
  ["an object correlation id", "correlationId", { trace: { correlationId: { id: 1 } as never } }],
  ["a function causation id", "causationId", { trace: { causationId: (() => "c") as never } }],
  ["a numeric command id", "commandId", { trace: { commandId: 3 as never } }],
  ["schema version 0", "schemaVersion", { schemaVersion: 0 }],
  ["a fractional schema version", "schemaVersion", { schemaVersion: 1.5 }]
]

/** Appends of reserved types the port refuses, with a word the reason must contain. */
const reserved: ReadonlyArray<readonly [string, EventStore.Pending, RegExp]> = [
  ["a raw archive marker with a payload of its own", pending(EventStore.archivedType, { reason: "x" }), /malformed/],
  ["another type starting with $", pending("$Snapshot", { _tag: "$Snapshot" }), /reserved/],
  ["a marker with more data", { ...EventStore.marker(EventStore.deletedType), data: { _tag: EventStore.deletedType, x: 1 } }, /malformed/],
  ["a marker with another tag", { ...EventStore.marker(EventStore.archivedType), data: { _tag: "Deposited" } }, /malformed/],
  ["a marker with a schema version", { ...EventStore.marker(EventStore.archivedType), schemaVersion: 2 }, /malformed/]
]

const isRecorded = Schema.is(Envelope.Recorded)

/** Asserts that the refusal names the operation, the stream, the event's place and type, and `what`. */
const names = (what: string, error: EventStore.StoreError, at: number, type: string, pattern: RegExp) => {
  Expect.equal(`${what}: the operation and stream`, ["append", "s"], [error.operation, error.streamId])
  const place = `event ${at} ("${type}")`
  if (!error.reason.startsWith(place) || !pattern.test(error.reason)) {
    Expect.fail(`${what}: the reason`, `${place}: … ${pattern}`, error.reason)
  }
}

/** The validation checks, each on a fresh store. */
export const checks = (makeLayer: MakeLayer): ReadonlyArray<Check> => [
  {
    name: "metadata that Envelope.Metadata does not allow is refused with a StoreError naming the event and field",
    run: () =>
      withStore(makeLayer, (store) =>
        Effect.gen(function*() {
          yield* store.append("s", batch("first", 1), ExpectedVersion.noStream)
          for (const [what, field, metadata] of badMetadata) {
            const events = [pending("Noted"), { ...pending("Bad"), ...metadata }]
            const error = yield* refusedWhole(store, what, { streamId: "s", events, expected: ExpectedVersion.exact(1) }, "StoreError")
            names(what, error, 2, "Bad", new RegExp(`metadata.*\\["${field}"\\]`, "s"))
          }
        }))
  },
  {
    name: "the metadata a writer gives is recorded as given, and every record is a valid Envelope.Recorded",
    run: () =>
      withStore(makeLayer, (store) =>
        Effect.gen(function*() {
          const trace = { correlationId: "corr", causationId: "cause", commandId: "cmd" }
          const given = { ...pending("Imported"), eventId: "e-1", recordedAt: -86_400_000, trace, schemaVersion: 2 }
          const [recorded] = (yield* store.append("s", [given], ExpectedVersion.noStream)).events
          Expect.equal("the recorded metadata", { eventId: "e-1", recordedAt: -86_400_000, ...trace, schemaVersion: 2 }, recorded?.metadata)
          yield* store.append("s", [EventStore.marker(EventStore.archivedType, { trace })], ExpectedVersion.exact(1))
          for (const event of yield* readLog(store)) {
            if (!isRecorded(event)) Expect.fail("a record read back", "a valid Envelope.Recorded", event)
          }
        }))
  },
  {
    name: "types starting with $ are refused but well-formed life-cycle markers (EventStore.marker); nothing is written",
    run: () =>
      withStore(makeLayer, (store) =>
        Effect.gen(function*() {
          yield* store.append("s", batch("first", 1), ExpectedVersion.noStream)
          for (const [what, event, pattern] of reserved) {
            const append = { streamId: "s", events: [pending("Noted"), event], expected: ExpectedVersion.exact(1) }
            names(what, yield* refusedWhole(store, what, append, "StoreError"), 2, event.type, pattern)
          }
          const open = yield* store.append("s", batch("after", 1), ExpectedVersion.exact(1))
          Expect.equal("the stream is still open", 2, open.version)
          const closed = yield* store.append("s", [EventStore.marker(EventStore.deletedType)], ExpectedVersion.exact(2))
          Expect.equal("a marker is recorded with its fixed data", [{ _tag: EventStore.deletedType }], closed.events.map((e) => e.data))
        }))
  },
  {
    name: `a payload nested deeper than Envelope.maxDepth (${Envelope.maxDepth}) is refused; one at the limit reads back equal`,
    run: () =>
      withStore(makeLayer, (store) =>
        Effect.gen(function*() {
          yield* store.append("s", batch("first", 1), ExpectedVersion.noStream)
          for (const depth of [Envelope.maxDepth + 1, 10_000, 100_000]) {
            const what = `a payload ${depth} levels deep`
            const events = [pending("Noted"), pending("Deep", { deep: nested(depth - 1) })]
            const error = yield* refusedWhole(store, what, { streamId: "s", events, expected: ExpectedVersion.exact(1) }, "StoreError")
            names(what, error, 2, "Deep", new RegExp(`more than ${Envelope.maxDepth} levels deep`))
          }
          const limit = { deep: nested(Envelope.maxDepth - 1) }
          yield* store.append("s", [pending("Deep", limit)], ExpectedVersion.exact(1))
          const [, deepest] = yield* readStream(store, "s")
          Expect.equal(`a payload ${Envelope.maxDepth} levels deep, read back`, limit, deepest?.data)
          const log = yield* readLog(store)
          Expect.equal("the log, through JSON and back", log, JSON.parse(JSON.stringify(log)))
        }))
  }
]
