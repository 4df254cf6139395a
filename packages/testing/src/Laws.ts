/**
 * **Laws**: the properties every event-sourced domain must satisfy, as fast-check properties you run
 * against your own deciders, projections and Schemas. Examples show that a decider does the right
 * thing in a few cases; laws show that replay cannot go wrong in any case:
 *
 * - {@link foldHomomorphism}: where batches begin and end never changes the folded state.
 * - {@link deterministicDecide}: the same command in the same state decides the same events (no
 *   clock, no randomness, no hidden mutable state).
 * - {@link codecRoundTrip}: an event survives the runtime's way to the store and back (its codec,
 *   the store's checks, JSON text) unchanged.
 * - {@link liveEqualsReplay}: the state tracked live while handling commands is the state replayed
 *   from the store — on any store layer.
 * - {@link projectionIncrementalEqualsRebuild} (pure) and {@link projectorIncrementalEqualsRebuild}
 *   (a running `Projector` on a store layer): applying events in batches, with re-deliveries, or
 *   resumed from a checkpoint gives the read model of a rebuild from scratch.
 *
 * Each law takes an options record and returns a property: run pure ones with `fc.assert`, and
 * await the Effect-based ones (they run their program with `Effect.runPromise` on a fresh store
 * built from the layer you pass). A failing law throws an `AssertionError` naming what differs, with
 * both sides, and fast-check adds the shrunk counterexample. States, events and rejections are
 * compared with Effect's `Equal.equals` (plain objects, arrays, maps and sets by content; `Equal`
 * implementations by their own rule) unless you pass `equals`, e.g. `Schema.toEquivalence(State)`;
 * `codecRoundTrip` compares events with their Schema's equivalence.
 *
 * Every law that folds events also watches `evolve`: each state it is given is copied before the
 * call and compared with the copy after it, so an `evolve` that changes its input in place — a
 * field, or anything nested in it: a map, a set, an array, a date — fails the law, even where the
 * folds that share the changed objects happen to agree.
 *
 * @example
 * ```ts
 * const history = Arbitraries.history(Counter.decider, fc.array(counterCommand, { maxLength: 20 }))
 * fc.assert(Laws.foldHomomorphism({ decider: Counter.decider, history }), { numRuns: 100 })
 * await fc.assert(Laws.liveEqualsReplay({ ...counterHandler, commands, layer: MemoryEventStore.layer }))
 * ```
 *
 * @since 0.1.0
 */
import { Decider, ExpectedVersion, Projection } from "@chronicle/core"
import type { Envelope, Upcaster } from "@chronicle/core"
import { Codec, CommandHandler, EventStore, Projector } from "@chronicle/runtime"
import { Duration, Effect, Formatter, Result, Schema } from "effect"
import type { Equivalence, Layer } from "effect"
import fc from "fast-check"
import * as Arbitraries from "./Arbitraries.ts"
import * as Expect from "./internal/expect.ts"
import * as Records from "./internal/records.ts"
import * as Structure from "./internal/structure.ts"

const { equalWith: expectEqual, structural } = Expect

/**
 * Watches the `evolve` of a decider or projection for changes to its input: each state it is given
 * is copied before the call and compared with the copy after it. An `evolve` that changes its input
 * in place — anywhere inside it: a map, a set, an array, a date, a nested object — instead of
 * returning a new state corrupts the states it was given (`initialState` first), while the folds
 * that share those objects may still agree with each other: only this catches it. `check` throws
 * for the first change seen.
 */
const watchEvolve = <Self extends { readonly evolve: (state: never, event: never) => unknown }>(self: Self) => {
  const inner = self.evolve as (state: unknown, event: unknown) => unknown
  let changed: { readonly event: unknown; readonly before: unknown; readonly after: unknown } | undefined
  const evolve = (state: unknown, event: unknown) => {
    const before = Structure.copy(state)
    const next = inner(state, event)
    if (changed === undefined && !Structure.same(before, state)) changed = { event, before, after: Structure.copy(state) }
    return next
  }
  const check = (): void => {
    if (changed !== undefined) {
      Expect.fail(
        `evolve changed its input state in place, on event ${Formatter.format(changed.event)}; it must return a new state, or every later fold starts from a corrupted one`,
        changed.before,
        changed.after
      )
    }
  }
  return { watched: { ...self, evolve } as Self, check }
}

/**
 * Options of {@link foldHomomorphism}.
 *
 * @since 0.1.0
 */
export interface FoldHomomorphismOptions<State, Event> {
  /** The decider (or projection) whose `evolve` is folded. */
  readonly decider: Projection.Projection<State, Event>
  /** Event histories, e.g. from `Arbitraries.history`. */
  readonly history: fc.Arbitrary<ReadonlyArray<Event>>
  /** How to compare states. Default: `Equal.equals`. */
  readonly equals?: Equivalence.Equivalence<State> | undefined
}

/**
 * Fold is a homomorphism: for any history and any way to cut it into batches,
 * `fold(s0, a ++ b) = fold(fold(s0, a), b)`. So the batch boundaries of appends, snapshots and pages
 * never change the state. Fails on an `evolve` with hidden mutable state, and on one that changes
 * its input state in place, at any depth: a nested map, set, array, plain object or date.
 *
 * @example
 * ```ts
 * fc.assert(Laws.foldHomomorphism({ decider: Counter.decider, history: Arbitraries.history(Counter.decider, commands) }))
 * ```
 *
 * @since 0.1.0
 */
export const foldHomomorphism = <State, Event>(
  options: FoldHomomorphismOptions<State, Event>
): fc.IProperty<[ReadonlyArray<ReadonlyArray<Event>>]> =>
  fc.property(Arbitraries.batches(options.history), (batches) => {
    const { check, watched: decider } = watchEvolve(options.decider)
    const atOnce = Projection.fold(decider, batches.flat())
    const batched = batches.reduce((state, batch) => Projection.fold(decider, batch, state), Projection.initial(decider))
    check()
    expectEqual(
      options.equals ?? structural,
      `folding the history in ${batches.length} batches gives another state than folding it at once`,
      atOnce,
      batched
    )
  })

/**
 * Options of {@link deterministicDecide}.
 *
 * @since 0.1.0
 */
export interface DeterministicDecideOptions<Command, State, Event, Rejection> {
  /** The decider under test. */
  readonly decider: Decider.Decider<Command, State, Event, Rejection>
  /** Command sequences; rejected commands leave the state as it is. */
  readonly commands: fc.Arbitrary<ReadonlyArray<Command>>
  /** How to compare two events or two rejections. Default: `Equal.equals`. */
  readonly equals?: Equivalence.Equivalence<Event | Rejection> | undefined
}

/**
 * `decide` is deterministic: the same command in the same state gives equal events (or an equal
 * rejection). Each command sequence is played twice from `initialState`, the second time under a
 * clock moved a year ahead (`Date.now()` and `new Date()`), and `decide` is asked twice at every
 * step; every outcome must match. Fails on a `decide` that reads the clock, draws random numbers or
 * ids, or keeps a counter or other hidden state.
 *
 * @example
 * ```ts
 * fc.assert(Laws.deterministicDecide({ decider: BankAccount.decider, commands: fc.array(accountCommand) }))
 * ```
 *
 * @since 0.1.0
 */
export const deterministicDecide = <Command, State, Event, Rejection>(
  options: DeterministicDecideOptions<Command, State, Event, Rejection>
): fc.IProperty<[ReadonlyArray<Command>]> => {
  const equals = options.equals ?? structural
  const same = (self: Outcome<Event, Rejection>, that: Outcome<Event, Rejection>): boolean =>
    Result.isSuccess(self)
      ? Result.isSuccess(that) && self.success.length === that.success.length &&
        self.success.every((event, i) => equals(event, that.success[i]!))
      : Result.isFailure(that) && equals(self.failure, that.failure)
  return fc.property(options.commands, (commands) => {
    const first = play(options.decider, commands, same)
    const second = withClockShifted(() => play(options.decider, commands, same))
    first.forEach((outcome, i) => {
      if (!same(outcome, second[i]!)) {
        Expect.fail(
          `playing the same commands again (with the clock a year later) decided otherwise at command #${i + 1}`,
          show(outcome),
          show(second[i]!)
        )
      }
    })
  })
}

type Outcome<Event, Rejection> = Result.Result<ReadonlyArray<Event>, Rejection>

const show = <Event, Rejection>(outcome: Outcome<Event, Rejection>) =>
  Result.isSuccess(outcome) ? { accepted: outcome.success } : { rejected: outcome.failure }

const play = <Command, State, Event, Rejection>(
  decider: Decider.Decider<Command, State, Event, Rejection>,
  commands: ReadonlyArray<Command>,
  same: (self: Outcome<Event, Rejection>, that: Outcome<Event, Rejection>) => boolean
): ReadonlyArray<Outcome<Event, Rejection>> => {
  const outcomes: Array<Outcome<Event, Rejection>> = []
  let state = decider.initialState
  commands.forEach((command, i) => {
    const outcome = decider.decide(command, state)
    const again = decider.decide(command, state)
    if (!same(outcome, again)) {
      Expect.fail(
        `decide answered otherwise when asked twice in the same state, at command #${i + 1}`,
        show(outcome),
        show(again)
      )
    }
    outcomes.push(outcome)
    if (Result.isSuccess(outcome)) state = Decider.fold(decider, outcome.success, state)
  })
  return outcomes
}

const clockShift = 366 * 24 * 60 * 60 * 1000

/**
 * Runs `f` with `Date.now()` and `new Date()` a year and a day ahead, so that a `decide` reading the
 * clock decides differently. `f` is synchronous, so no other code sees the shifted clock.
 */
const withClockShifted = <A>(f: () => A): A => {
  const RealDate = globalThis.Date
  const now = () => RealDate.now() + clockShift
  globalThis.Date = new Proxy(RealDate, {
    construct: (target, args, newTarget) => Reflect.construct(target, args.length === 0 ? [now()] : args, newTarget),
    apply: () => new RealDate(now()).toString(),
    get: (target, key) => key === "now" ? now : Reflect.get(target, key)
  })
  try {
    return f()
  } finally {
    globalThis.Date = RealDate
  }
}

/**
 * Options of {@link codecRoundTrip}.
 *
 * @since 0.1.0
 */
export interface CodecRoundTripOptions<Event extends Codec.Tagged> {
  /** The event Schema, as the `CommandHandler` and `Projector` get it. */
  readonly schema: Codec.EventSchema<Event>
  /** The domain's upcasters, as the runtime gets them. Default: none. */
  readonly upcasters?: Upcaster.Upcasters | undefined
  /** Events, e.g. `Arbitraries.fromSchema(schema)` or the events of generated histories. */
  readonly events: fc.Arbitrary<Event>
  /** How to compare events. Default: the Schema's equivalence, `Schema.toEquivalence(schema)`. */
  readonly equals?: Equivalence.Equivalence<Event> | undefined
}

/**
 * Codec round trip, the way the runtime stores events: each event is encoded by the runtime's
 * codec (`Codec.encoder`: through the Schema's JSON codec, `Schema.toCodecJson`, stamped with its
 * type's current schema version given the upcasters), checked and stamped as every store does on
 * append (`EventStore.validate`, `EventStore.stamp`), then decoded by the runtime's decoder
 * (`Codec.decoder`, with the upcasters) — once as the record is, once after `JSON.stringify` and
 * `JSON.parse`, as a database or an exported log file holds it. Both must equal the event. So
 * `Schema.Date`, `Schema.ReadonlyMap`, `bigint` and `NaN` fields pass: the JSON codec turns them
 * into JSON and back.
 *
 * Fails on a codec that loses information (a number clamped on the way out), on an event the JSON
 * codec refuses (an invalid `Date`, a value JSON cannot hold in a `Schema.Unknown` field), on a
 * hand-written JSON form (a `toCodecJson` annotation) that is not JSON, which every store refuses,
 * and on a value that does not survive JSON text (`-0` turns into `0`, for an `equals` that tells
 * them apart).
 *
 * @example
 * ```ts
 * fc.assert(Laws.codecRoundTrip({ schema: BankAccount.Event, events: Arbitraries.fromSchema(BankAccount.Event) }))
 * ```
 *
 * @since 0.1.0
 */
export const codecRoundTrip = <Event extends Codec.Tagged>(options: CodecRoundTripOptions<Event>): fc.IProperty<[Event]> => {
  const equals = options.equals ?? Schema.toEquivalence(options.schema)
  const encode = Codec.encoder(options.schema, options.upcasters)
  const decode = Codec.decoder(options.schema, options.upcasters)
  const decoded = (what: string, recorded: Envelope.Recorded): Event => {
    const event = decode(recorded)
    return Result.isSuccess(event) ? event.success.data : Expect.fail(what, recorded, event.failure.message)
  }
  return fc.property(options.events, (event) => {
    const pending = encode("codec-law", [event])
    if (Result.isFailure(pending)) return Expect.fail("the event does not encode", event, pending.failure.message)
    const records = Records.record("codec-law", pending.success)
    if (Result.isFailure(records)) {
      return Expect.fail("the encoded event is refused by the store", pending.success, records.failure.message)
    }
    const [recorded] = records.success
    expectEqual(
      equals,
      "decoding the recorded event gives another event: the codec loses information",
      event,
      decoded("the recorded event does not decode", recorded!)
    )
    const stored = JSON.parse(JSON.stringify(recorded)) as Envelope.Recorded
    expectEqual(
      equals,
      "the recorded event does not survive JSON text (as a database or a log file holds it): decoded after JSON.stringify and JSON.parse it differs",
      event,
      decoded("the recorded event does not decode after JSON.stringify and JSON.parse", stored)
    )
  })
}

/**
 * Options of {@link liveEqualsReplay}: the command handler's options, the commands to handle and
 * the store layer to handle them on.
 *
 * @since 0.1.0
 */
export interface LiveEqualsReplayOptions<Command, State, Event extends Codec.Tagged, Rejection, LayerError>
  extends CommandHandler.Options<Command, State, Event, Rejection>
{
  /** Command sequences, addressing one or several streams. */
  readonly commands: fc.Arbitrary<ReadonlyArray<Command>>
  /**
   * The store layer. Each run builds it afresh and needs an empty store: for a persistent store,
   * open a new database per build, e.g. `Layer.unwrap(Effect.sync(() => layerFor(uniqueName())))`.
   */
  readonly layer: Layer.Layer<EventStore.EventStore, LayerError>
  /** How to compare states. Default: `Equal.equals`. */
  readonly equals?: Equivalence.Equivalence<State> | undefined
}

/**
 * Live state equals replayed state: handle the commands with `CommandHandler` on a fresh store
 * (rejected ones, and those refused by a terminated stream, are skipped), remember the state and
 * version each accepted command returns per stream, then load every stream back from the store:
 * each must give the last live state and version. Pass each store layer you ship; the law holds on
 * all of them or the layer is wrong. Fails on a lossy event codec, on an `evolve` with hidden state
 * or one that changes its input state in place, and on a store layer that loses events on read.
 *
 * @example
 * ```ts
 * await fc.assert(Laws.liveEqualsReplay({
 *   decider: BankAccount.decider,
 *   commandSchema: BankAccount.Command,
 *   eventSchema: BankAccount.Event,
 *   streamId: BankAccount.streamIdOf,
 *   commands: fc.array(accountCommand, { maxLength: 20 }),
 *   layer: MemoryEventStore.layer
 * }))
 * ```
 *
 * @since 0.1.0
 */
export const liveEqualsReplay = <Command, State, Event extends Codec.Tagged, Rejection, LayerError>(
  options: LiveEqualsReplayOptions<Command, State, Event, Rejection, LayerError>
): fc.IAsyncProperty<[ReadonlyArray<Command>]> => {
  const equals = options.equals ?? structural
  const run = (handler: CommandHandler.InProcessHandler<Command, State, Event, Rejection>, commands: ReadonlyArray<Command>) =>
    Effect.gen(function*() {
      const live = new Map<string, CommandHandler.Loaded<State>>()
      for (const command of commands) {
        const handled = yield* handler.handle(command).pipe(
          Effect.catchTags({ CommandRejected: () => Effect.void, StreamTerminated: () => Effect.void })
        )
        if (handled !== undefined) live.set(handled.streamId, { state: handled.state, version: handled.version })
      }
      const replayed = new Map<string, CommandHandler.Loaded<State>>()
      for (const streamId of live.keys()) replayed.set(streamId, yield* handler.load(streamId))
      return { live, replayed }
    })
  return fc.asyncProperty(options.commands, async (commands) => {
    const { check, watched } = watchEvolve(options.decider)
    const handler = CommandHandler.make({ ...options, decider: watched })
    const { live, replayed } = await Effect.runPromise(
      run(handler, commands).pipe(Effect.provide(options.layer, { local: true }))
    ).finally(check)
    for (const [streamId, expected] of live) {
      const actual = replayed.get(streamId)!
      expectEqual(
        equals,
        `stream "${streamId}": the state replayed from the store differs from the state tracked live`,
        expected.state,
        actual.state
      )
      expectEqual(
        structural,
        `stream "${streamId}": the version in the store differs from the version tracked live`,
        expected.version,
        actual.version
      )
    }
  })
}

/**
 * Options of {@link projectionIncrementalEqualsRebuild}.
 *
 * @since 0.1.0
 */
export interface ProjectionLawOptions<State, Event extends Codec.Tagged> {
  /** The projection under test. */
  readonly projection: Projection.Projection<State, Event>
  /** The Schema its events are stored with. */
  readonly eventSchema: Codec.EventSchema<Event>
  /** Event histories in global order, e.g. from `Arbitraries.history`. */
  readonly history: fc.Arbitrary<ReadonlyArray<Event>>
  /** How to compare read models. Default: `Equal.equals`. */
  readonly equals?: Equivalence.Equivalence<State> | undefined
}

/**
 * Incremental application equals rebuild, without a store: the history is encoded into recorded
 * events, delivered to `Projector.step` in random batches where each batch may begin with some
 * events delivered already (re-delivery, which must be a no-op), and the result must equal applying
 * all records at once and folding the events themselves. Fails on a projection with hidden state or
 * one that changes its read model in place, and on a lossy event codec.
 *
 * @example
 * ```ts
 * fc.assert(Laws.projectionIncrementalEqualsRebuild({
 *   projection: BankAccount.balances,
 *   eventSchema: BankAccount.Event,
 *   history: Arbitraries.history(BankAccount.decider, commands)
 * }))
 * ```
 *
 * @since 0.1.0
 */
export const projectionIncrementalEqualsRebuild = <State, Event extends Codec.Tagged>(
  options: ProjectionLawOptions<State, Event>
): fc.IProperty<[ReadonlyArray<ReadonlyArray<Event>>, ReadonlyArray<number>]> => {
  const equals = options.equals ?? structural
  const record = recorder(options.eventSchema)
  const zero = (): Projector.Checkpointed<State> => ({ state: Projection.initial(options.projection), position: 0 })
  return fc.property(
    Arbitraries.batches(options.history),
    fc.array(fc.nat({ max: 3 }), { maxLength: 6 }),
    (batches, redelivered) => {
      const { check, watched: projection } = watchEvolve(options.projection)
      const apply = Projector.step({ ...options, projection })
      const applied = (checkpoint: Projector.Checkpointed<State>, records: ReadonlyArray<Envelope.Recorded>) => {
        const next = apply(checkpoint, records)
        return Result.isSuccess(next)
          ? next.success
          : Expect.fail("a recorded event does not decode", records, next.failure.message)
      }
      const events = batches.flat()
      const records = record(events)
      const rebuilt = applied(zero(), records)
      let start = 0
      let incremental = zero()
      batches.forEach((batch, i) => {
        incremental = applied(incremental, records.slice(Math.max(0, start - (redelivered[i] ?? 0)), start + batch.length))
        start += batch.length
      })
      const folded = Projection.fold(projection, events)
      check()
      expectEqual(
        structural,
        "the checkpoint after incremental application is not the last position",
        records.length,
        incremental.position
      )
      expectEqual(
        equals,
        "applying the events in batches, with re-deliveries, gives another read model than a rebuild",
        rebuilt.state,
        incremental.state
      )
      expectEqual(equals, "projecting the recorded (encoded) events differs from folding the events", folded, rebuilt.state)
    }
  )
}

/** Encodes events into the records a store would hold, one stream, positions from 1. */
const recorder = <Event extends Codec.Tagged>(schema: Codec.EventSchema<Event>) => {
  const encode = Codec.encoder(schema)
  return (events: ReadonlyArray<Event>): ReadonlyArray<Envelope.Recorded> => {
    const pending = encode("projection-law", events)
    if (Result.isFailure(pending)) return Expect.fail("an event does not encode", events, pending.failure.message)
    const records = Records.record("projection-law", pending.success)
    return Result.isSuccess(records)
      ? records.success
      : Expect.fail("an encoded event is refused by the store", pending.success, records.failure.message)
  }
}

/**
 * Options of {@link projectorIncrementalEqualsRebuild}.
 *
 * @since 0.1.0
 */
export interface ProjectorLawOptions<State, Event extends Codec.Tagged, LayerError>
  extends ProjectionLawOptions<State, Event>
{
  /**
   * The store layer. Each run builds it afresh and needs an empty store: for a persistent store,
   * open a new database per build, e.g. `Layer.unwrap(Effect.sync(() => layerFor(uniqueName())))`.
   */
  readonly layer: Layer.Layer<EventStore.EventStore, LayerError>
  /** The stream each event is appended to. Default: one stream for all. */
  readonly streamId?: ((event: Event) => string) | undefined
  /**
   * How long a projector may take to reach the last position before the law fails (a store whose
   * subscription loses an event would otherwise keep it waiting forever). Default: 2 seconds.
   */
  readonly timeout?: Duration.Input | undefined
}

/**
 * Incremental application equals rebuild, with a running `Projector` on a real store: a first
 * projector follows the appends of the first batches and stops at its checkpoint; then a projector
 * resumed from that checkpoint and one started from scratch follow the appends of the remaining
 * batches, live. Both, the checkpoint, and a `rebuild` must give the fold of the events they cover.
 * Fails on a projection with hidden state or one that changes its read model in place, and on a
 * store layer whose subscription skips events (then a projector misses them, or never reaches the
 * last position within `timeout`).
 *
 * @example
 * ```ts
 * await fc.assert(Laws.projectorIncrementalEqualsRebuild({
 *   projection: BankAccount.balances,
 *   eventSchema: BankAccount.Event,
 *   history: Arbitraries.history(BankAccount.decider, commands),
 *   streamId: (event) => event.accountId,
 *   layer: MemoryEventStore.layer
 * }))
 * ```
 *
 * @since 0.1.0
 */
export const projectorIncrementalEqualsRebuild = <State, Event extends Codec.Tagged, LayerError>(
  options: ProjectorLawOptions<State, Event, LayerError>
): fc.IAsyncProperty<[ReadonlyArray<ReadonlyArray<Event>>, number]> => {
  const equals = options.equals ?? structural
  const { eventSchema } = options
  const encode = Codec.encoder(eventSchema)
  const streamOf = options.streamId ?? (() => "projection-law")
  const timeout = Duration.fromInputUnsafe(options.timeout ?? "2 seconds")

  /** Waits for a projector (by default, until it reaches `position`), failing after `timeout`. */
  const reach = (
    which: string,
    projector: Projector.Projector<State>,
    position: number,
    waiting: Effect.Effect<Projector.Checkpointed<State>, Projector.ProjectorError> = projector.awaitPosition(position)
  ) =>
    Effect.timeoutOrElse(waiting, {
      duration: timeout,
      orElse: () =>
        Effect.flatMap(projector.current, (current) =>
          Effect.sync(() =>
            Expect.fail(`${which} did not reach the last position in ${Duration.format(timeout)}`, position, current.position)
          ))
    })

  const append = (batch: ReadonlyArray<Event>) =>
    Effect.gen(function*() {
      const store = yield* EventStore.EventStore
      for (const [streamId, events] of byStream(batch, streamOf)) {
        const pending = yield* Effect.fromResult(encode(streamId, events))
        yield* store.append(streamId, pending, ExpectedVersion.any)
      }
      yield* Effect.yieldNow // let the projectors run between batches: they see some appends live, some in catch-up
    })

  const run = (
    projection: Projection.Projection<State, Event>,
    before: ReadonlyArray<ReadonlyArray<Event>>,
    after: ReadonlyArray<ReadonlyArray<Event>>
  ) =>
    Effect.gen(function*() {
      const store = yield* EventStore.EventStore
      const checkpoint = yield* Effect.scoped(Effect.gen(function*() {
        const first = yield* Projector.make({ projection, eventSchema })
        yield* Effect.forEach(before, append, { discard: true })
        const last = yield* store.lastPosition
        return yield* reach("the first projector", first, last)
      }))
      return yield* Effect.scoped(Effect.gen(function*() {
        const resumed = yield* Projector.make({ projection, eventSchema, from: checkpoint })
        const scratch = yield* Projector.make({ projection, eventSchema })
        yield* Effect.forEach(after, append, { discard: true })
        const last = yield* store.lastPosition
        return {
          last,
          checkpoint,
          resumed: yield* reach("the resumed projector", resumed, last),
          incremental: yield* reach("the projector from scratch", scratch, last),
          rebuilt: yield* reach("the rebuilt projector", scratch, last, scratch.rebuild)
        }
      }))
    })

  return fc.asyncProperty(Arbitraries.batches(options.history), fc.nat(), async (batches, cut) => {
    const stop = cut % (batches.length + 1)
    const { check, watched: projection } = watchEvolve(options.projection)
    const result = await Effect.runPromise(
      run(projection, batches.slice(0, stop), batches.slice(stop)).pipe(Effect.provide(options.layer, { local: true }))
    ).finally(check)
    const events = batches.flat()
    const folded = Projection.fold(projection, events)
    const first = Projection.fold(projection, batches.slice(0, stop).flat())
    check()
    expectEqual(structural, "the store does not hold every appended event", events.length, result.last)
    const expectations = [
      ["the checkpoint the first projector stopped at", result.checkpoint, first],
      ["the projector that followed the appends live", result.incremental, folded],
      ["the projector resumed from the checkpoint", result.resumed, folded],
      ["the rebuilt projector", result.rebuilt, folded]
    ] as const
    for (const [which, actual, expected] of expectations) {
      expectEqual(equals, `${which} has another read model than the fold of its events`, expected, actual.state)
    }
    for (const [which, actual] of expectations.slice(1)) {
      expectEqual(structural, `${which} is not at the last position`, result.last, actual.position)
    }
  })
}

/** Splits a batch into runs of consecutive events of the same stream, keeping their order. */
const byStream = <Event>(
  batch: ReadonlyArray<Event>,
  streamOf: (event: Event) => string
): ReadonlyArray<readonly [string, ReadonlyArray<Event>]> => {
  const runs: Array<readonly [string, Array<Event>]> = []
  for (const event of batch) {
    const streamId = streamOf(event)
    const current = runs.at(-1)
    if (current !== undefined && current[0] === streamId) current[1].push(event)
    else runs.push([streamId, [event]])
  }
  return runs
}
