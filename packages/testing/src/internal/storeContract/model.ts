/**
 * The model-based part of the EventStore contract: fast-check generates sequences of appends (to a
 * few streams, 0 to 5 events, right and wrong expected versions of all four kinds, appends the port
 * must refuse, and life-cycle markers: archive markers and tombstones), reads of version ranges,
 * reads of the log and subscriptions from random positions, and runs each one against a fresh store
 * and against a plain array, the reference model. Every answer of the store must be the model's.
 *
 * An append is judged as the port says, in this order: a payload the port refuses is a `StoreError`;
 * an expectation the stream does not meet is a `WrongExpectedVersion`; an append that the stream's
 * last event closes (`EventStore.closedBy`) is a `StreamClosed`. Refused appends write nothing.
 *
 * The model holds the events as the store recorded them: positions are the store's own (the port
 * asks for strictly increasing positions, not for contiguous ones), event ids and times are checked
 * when the store returns them and compared on every later read.
 *
 * @internal
 */
import { Envelope, ExpectedVersion } from "@chronicle/core"
import { EventStore } from "@chronicle/runtime"
import { Effect, Result, Schema, Stream } from "effect"
import fc from "fast-check"
import * as Expect from "../expect.ts"
import { assertIncreasing, notJson, readLog, within } from "./support.ts"

/** The reference model: every event the store should hold, in global order. */
interface Model {
  readonly log: Array<Envelope.Recorded>
}

type Command = fc.AsyncCommand<Model, EventStore.Service>

const streamOf = (model: Model, streamId: string) => model.log.filter((event) => event.streamId === streamId)

const lastPosition = (model: Model) => model.log.at(-1)?.position ?? 0

const attempt = <A, E>(effect: Effect.Effect<A, E>) => Effect.runPromise(Effect.result(effect))

/** How a generated append states its expectation; `Current` is the stream's version in the model. */
type Expectation =
  | { readonly _tag: "Any" | "NoStream" | "StreamExists" | "Current" }
  | { readonly _tag: "Exact"; readonly version: number }

const resolve = (expectation: Expectation, current: number): ExpectedVersion.ExpectedVersion => {
  switch (expectation._tag) {
    case "Any":
      return ExpectedVersion.any
    case "NoStream":
      return ExpectedVersion.noStream
    case "StreamExists":
      return ExpectedVersion.streamExists
    case "Current":
      return ExpectedVersion.exact(current)
    case "Exact":
      return ExpectedVersion.exact(expectation.version)
  }
}

const show = (value: unknown) => JSON.stringify(value) ?? String(value)

const command = (
  name: string,
  run: (model: Model, store: EventStore.Service) => Promise<void>,
  check = (_model: Readonly<Model>) => true
): Command => ({ check, run, toString: () => name })

/** Asserts that a refused append wrote nothing: the store's last position is still the model's. */
const nothingWritten = async (name: string, model: Model, store: EventStore.Service) =>
  Expect.equal(`${name}: the last position (nothing written)`, lastPosition(model), await Effect.runPromise(store.lastPosition))

const append = (streamId: string, events: ReadonlyArray<EventStore.Pending>, expectation: Expectation): Command => {
  const name = `append(${show(streamId)}, ${show(events.map((event) => event.type))}, ${show(expectation)})`
  return command(name, async (model, store) => {
    const stream = streamOf(model, streamId)
    const actual = stream.length
    const expected = resolve(expectation, actual)
    const closure = EventStore.closedBy(stream.at(-1)?.type, events)
    const result = await attempt(store.append(streamId, events, expected))
    if (!ExpectedVersion.matches(expected, actual)) {
      const failure = Result.isFailure(result) ? result.failure : undefined
      if (failure?._tag !== "WrongExpectedVersion") {
        return Expect.fail(`${name}: a conflict`, { expected, actual }, Result.isSuccess(result) ? result.success : failure)
      }
      Expect.equal(`${name}: the conflict`, { streamId, expected, actual }, {
        streamId: failure.streamId,
        expected: failure.expected,
        actual: failure.actual
      })
      return nothingWritten(name, model, store)
    }
    if (closure !== undefined) {
      const failure = Result.isFailure(result) ? result.failure : undefined
      if (failure?._tag !== "StreamClosed") {
        return Expect.fail(`${name}: StreamClosed`, { closure }, Result.isSuccess(result) ? result.success : failure)
      }
      Expect.equal(`${name}: the refusal`, { streamId, closure }, { streamId: failure.streamId, closure: failure.closure })
      return nothingWritten(name, model, store)
    }
    if (Result.isFailure(result)) return Expect.fail(`${name}: a success`, "success", result.failure)
    const recorded = result.success.events
    Expect.equal(`${name}: the version after the append`, actual + events.length, result.success.version)
    Expect.equal(
      `${name}: the recorded events`,
      events.map((event, i) => ({ streamId, version: actual + i + 1, type: event.type, data: event.data })),
      recorded.map(({ data, streamId, type, version }) => ({ streamId, version, type, data }))
    )
    assertIncreasing(name, [...model.log.slice(-1), ...recorded])
    events.forEach((event, i) => checkRecorded(name, model, event, recorded[i]!))
    model.log.push(...recorded)
  })
}

const isRecorded = Schema.is(Envelope.Recorded)

/** A recorded event is a valid envelope, with a fresh id and the trace and schema version its writer gave. */
const checkRecorded = (what: string, model: Model, event: EventStore.Pending, recorded: Envelope.Recorded) => {
  if (!isRecorded(recorded)) Expect.fail(`${what}: a valid Envelope.Recorded`, "Envelope.Recorded", recorded)
  const { causationId, commandId, correlationId, eventId, schemaVersion } = recorded.metadata
  Expect.equal(`${what}: the writer's trace and schema version`, {
    correlationId: event.trace?.correlationId,
    causationId: event.trace?.causationId,
    commandId: event.trace?.commandId,
    schemaVersion: event.schemaVersion ?? 1
  }, { correlationId, causationId, commandId, schemaVersion: schemaVersion ?? 1 })
  if (model.log.some((earlier) => earlier.metadata.eventId === eventId)) {
    Expect.fail(`${what}: a fresh event id`, "an id never used before", eventId)
  }
}

/** An append the port must refuse (an empty stream id, a payload that is not JSON): nothing is written. */
const refusedAppend = (streamId: string, events: ReadonlyArray<EventStore.Pending>, reason: string): Command => {
  const name = `append(${show(streamId)}, ${reason})`
  return command(name, async (model, store) => {
    const result = await attempt(store.append(streamId, events, ExpectedVersion.any))
    if (Result.isSuccess(result) || result.failure._tag !== "StoreError") {
      Expect.fail(`${name}: a StoreError`, "StoreError", Result.isSuccess(result) ? result.success : result.failure)
    }
    await nothingWritten(name, model, store)
  })
}

const read = (streamId: string, from: number | undefined, to: number | undefined): Command => {
  const name = `read(${show(streamId)}, from ${from}, to ${to})`
  return command(name, async (model, store) => {
    const range = { ...(from === undefined ? {} : { from }), ...(to === undefined ? {} : { to }) }
    const events = await Effect.runPromise(Stream.runCollect(store.read(streamId, range)))
    const expected = model.log.filter((event) =>
      event.streamId === streamId && event.version >= (from ?? 1) && event.version <= (to ?? Infinity)
    )
    Expect.equal(name, expected, events)
  })
}

const readAll = (from: number | undefined): Command => {
  const name = `readAll(from ${from})`
  return command(name, async (model, store) => {
    Expect.equal(name, model.log.filter((event) => event.position >= (from ?? 1)), await Effect.runPromise(readLog(store, from)))
  })
}

/** Catch-up from a recorded position: exactly the model's events from there (the live part has its own checks). */
const subscribe = (index: number): Command =>
  command(`subscribe(from the position of event ${index} modulo their number)`, async (model, store) => {
    const from = model.log[index % model.log.length]!.position
    const expected = model.log.filter((event) => event.position >= from)
    const delivered = await Effect.runPromise(
      store.subscribe({ from }).pipe(Stream.take(expected.length), Stream.runCollect, within(`subscribe(from ${from})`, 10_000))
    )
    Expect.equal(`subscribe(from ${from})`, expected, delivered)
  }, (model) => model.log.length > 0)

const lastPositionIs: Command = command("lastPosition", async (model, store) => {
  Expect.equal("lastPosition", lastPosition(model), await Effect.runPromise(store.lastPosition))
})

const streamIds = ["cart-1", "cart-2", "account-1"]

const streamId = fc.constantFrom(...streamIds)

const id = fc.string({ minLength: 1, maxLength: 8 })

const trace = fc.option(fc.record({ correlationId: id, causationId: id, commandId: id }, { requiredKeys: [] }), { nil: undefined })

const event: fc.Arbitrary<EventStore.Pending> = fc.record({
  type: fc.constantFrom("Opened", "ItemAdded", "Closed"),
  data: fc.jsonValue({ maxDepth: 2 }),
  trace,
  schemaVersion: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined })
})

const expectation: fc.Arbitrary<Expectation> = fc.oneof(
  fc.constantFrom<Expectation>({ _tag: "Any" }, { _tag: "NoStream" }, { _tag: "StreamExists" }, { _tag: "Current" }),
  fc.record({ _tag: fc.constant("Exact" as const), version: fc.integer({ min: -1, max: 8 }) })
)

const refused: fc.Arbitrary<Command> = fc.oneof(
  fc.array(event, { minLength: 1, maxLength: 3 }).map((events) => refusedAppend("", events, "empty stream id")),
  fc.tuple(streamId, fc.array(event, { maxLength: 3 }), fc.nat(), fc.constantFrom(...notJson)).map(
    ([streamId, events, at, [what, data]]) => {
      const i = at % (events.length + 1)
      return refusedAppend(streamId, [...events.slice(0, i), { type: "Bad", data }, ...events.slice(i)], `${what} in event ${i + 1}`)
    }
  )
)

/** An archive marker or a tombstone, with or without a trace. */
const marker: fc.Arbitrary<EventStore.Pending> = fc.tuple(
  fc.constantFrom(EventStore.archivedType, EventStore.deletedType),
  trace
).map(([type, trace]) => EventStore.marker(type, { trace }))

// Closures are rare, so that streams live a while before they close.
const appends = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.tuple(streamId, fc.array(event, { maxLength: 5 }), expectation).map(([s, events, e]) => append(s, events, e))
  },
  { weight: 1, arbitrary: fc.tuple(streamId, marker, expectation).map(([s, marker, e]) => append(s, [marker], e)) }
)

// Bounds the port accepts (whole numbers from 0); the integrity checks cover the ones it refuses.
const bound = (max: number) => fc.option(fc.integer({ min: 0, max }), { nil: undefined })

// Appends (and closures) are listed twice: they are the commands that change the state.
const commands = fc.commands<Model, EventStore.Service, false>([
  appends,
  appends,
  refused,
  fc.tuple(streamId, bound(10), bound(12)).map(([s, from, to]) => read(s, from, to)),
  bound(40).map(readAll),
  fc.nat().map(subscribe),
  fc.constant(lastPositionIs)
], { maxCommands: 40, size: "+1" })

/**
 * The property: on a fresh store, any sequence of commands behaves like the model. `withStore`
 * builds the store and closes it after the run.
 */
export const property = (
  withStore: (program: (store: EventStore.Service) => Effect.Effect<void>) => Promise<void>
) =>
  fc.asyncProperty(commands, (generated) =>
    withStore((store) => Effect.promise(() => fc.asyncModelRun(() => ({ model: { log: [] }, real: store }), generated))))
