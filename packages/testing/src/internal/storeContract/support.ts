/**
 * What the checks of the EventStore contract share: running a program on a fresh store, events to
 * append, reading a whole stream or log, refused appends, and assertions on recorded events.
 *
 * @internal
 */
import type { Envelope, ExpectedVersion } from "@chronicle/core"
import { EventStore } from "@chronicle/runtime"
import { Context, Effect, Layer, Result, Stream } from "effect"
import * as Expect from "../expect.ts"

/** Builds a fresh, empty store: the contract calls it for every check and every generated run. */
export type MakeLayer = () => Layer.Layer<EventStore.EventStore, unknown>

/** One check of the contract: a name and a test that rejects when the store breaks the contract. */
export interface Check {
  readonly name: string
  readonly run: () => Promise<void>
}

/** Runs `program` on a fresh store built by `makeLayer`, closing the store when it ends. */
export const withStore = <A, E>(
  makeLayer: MakeLayer,
  program: (store: EventStore.Service) => Effect.Effect<A, E>
): Promise<A> =>
  Effect.runPromise(
    Effect.scoped(
      Effect.flatMap(Layer.build(makeLayer()), (context) => program(Context.get(context, EventStore.EventStore)))
    )
  )

/** An event to append; its payload is `{ type }` unless given. */
export const pending = (type: string, data: unknown = { type }): EventStore.Pending => ({ type, data })

/** `n` events tagged with their writer and place, so that each one can be found again. */
export const batch = (writer: string, n: number): ReadonlyArray<EventStore.Pending> =>
  Array.from({ length: n }, (_, i) => pending("Noted", { writer, i }))

/** Payloads that are not JSON, which the port refuses (`EventStore.validate`), with what they are. */
export const notJson: ReadonlyArray<readonly [string, unknown]> = [
  ["a function", { f: () => 1 }],
  ["a symbol", [Symbol("s")]],
  ["undefined", { missing: undefined }],
  ["NaN", Number.NaN],
  ["a bigint", 1n],
  ["a Date", new Date(0)],
  ["a Map", new Map()],
  ["a cycle", (() => {
    const cycle: Record<string, unknown> = {}
    cycle["self"] = cycle
    return cycle
  })()]
]

/** All events of a stream, in version order. */
export const readStream = (store: EventStore.Service, streamId: string) => Stream.runCollect(store.read(streamId))

/** All events of the store, in global order. */
export const readLog = (store: EventStore.Service, from?: number) =>
  Stream.runCollect(store.readAll(from === undefined ? undefined : { from }))

/** Why the port refuses an append. */
export type Refusal = EventStore.WrongExpectedVersion | EventStore.StreamClosed | EventStore.StoreError

/** An append to attempt. */
export interface Attempt {
  readonly streamId: string
  readonly events: ReadonlyArray<EventStore.Pending>
  readonly expected: ExpectedVersion.ExpectedVersion
}

/**
 * Appends, asserts that the append fails with `tag` and that neither the stream nor the log
 * changed, and returns the error.
 */
export const refusedWhole = <Tag extends Refusal["_tag"]>(
  store: EventStore.Service,
  what: string,
  append: Attempt,
  tag: Tag
): Effect.Effect<Extract<Refusal, { readonly _tag: Tag }>, EventStore.StoreError> =>
  Effect.gen(function*() {
    const stream = yield* readStream(store, append.streamId)
    const log = yield* readLog(store)
    const result = yield* Effect.result(store.append(append.streamId, append.events, append.expected))
    if (Result.isSuccess(result) || !isTagged(result.failure, tag)) {
      return Expect.fail(`${what}: the append fails`, tag, Result.isSuccess(result) ? result.success : result.failure)
    }
    Expect.equal(`${what}: the stream (nothing written)`, stream, yield* readStream(store, append.streamId))
    Expect.equal(`${what}: the log (nothing written)`, log, yield* readLog(store))
    return result.failure
  })

const isTagged = <Tag extends Refusal["_tag"]>(
  error: Refusal,
  tag: Tag
): error is Extract<Refusal, { readonly _tag: Tag }> => error._tag === tag

/** Fails the check if `effect` takes longer than `millis` (a subscription that never delivers). */
export const within = <A, E>(what: string, millis: number) => (effect: Effect.Effect<A, E>): Effect.Effect<A, E> =>
  Effect.timeoutOrElse(effect, {
    duration: millis,
    orElse: () => Effect.sync(() => Expect.fail(`${what} did not complete within ${millis} ms`, "completion", "timeout"))
  })

/** Asserts that the positions of `events` are strictly increasing. */
export const assertIncreasing = (what: string, events: ReadonlyArray<Envelope.Recorded>): void => {
  events.forEach((event, i) => {
    const previous = events[i - 1]
    if (previous !== undefined && event.position <= previous.position) {
      Expect.fail(`${what}: positions must be strictly increasing`, `> ${previous.position}`, event.position)
    }
  })
}

/** Asserts that a stream's events are at versions 1, 2, …, n. */
export const assertContiguous = (streamId: string, events: ReadonlyArray<Envelope.Recorded>): void =>
  Expect.equal(
    `versions of stream "${streamId}"`,
    Array.from({ length: events.length }, (_, i) => i + 1),
    events.map((event) => event.version)
  )

