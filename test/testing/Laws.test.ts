import { Decider, Projection } from "@chronicle/core"
import { User } from "@chronicle/examples"
import { EventStore } from "@chronicle/runtime"
import { MemoryEventStore } from "@chronicle/store-memory"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Result, Schema, SchemaGetter, Stream } from "effect"
import fc from "fast-check"
import { Arbitraries } from "@chronicle/testing"
import { Laws } from "@chronicle/testing"
import * as Counter from "./Counter.ts"
import { assertFalsified } from "./falsified.ts"

const numRuns = 100

const oneCounter = Arbitraries.history(Counter.decider, fc.array(Counter.command.map((c) => ({ ...c, counterId: "a" }))))
const allCounters = Arbitraries.history(Counter.decider, Counter.commands, { streamId: Counter.streamId })

/** A codec that clamps amounts to 3 on the way to the store: it loses information. */
const Clamped = Schema.Int.pipe(Schema.decodeTo(Schema.Int, {
  decode: SchemaGetter.transform((n: number) => n),
  encode: SchemaGetter.transform((n: number) => Math.min(n, 3))
}))
const LossyEvent = Schema.TaggedUnion({
  Incremented: { counterId: Schema.String, amount: Clamped },
  Decremented: { counterId: Schema.String, amount: Clamped },
  WasReset: { counterId: Schema.String }
})

/** Remembers every event it has ever applied, across folds, and ignores it the next time. */
const forgetfulEvolve = () => {
  const seen = new Set<string>()
  return (count: number, event: Counter.Event) => {
    const key = JSON.stringify(event)
    if (seen.has(key)) return count
    seen.add(key)
    return Counter.evolve(count, event)
  }
}

/** Counts into the state it is given, in place, instead of returning a new state. */
const countInPlace = (state: { count: number }, event: Counter.Event) => {
  state.count = Counter.evolve(state.count, event)
  return state
}

describe("Laws", () => {
  describe("foldHomomorphism", () => {
    it("holds for a decider", () => {
      fc.assert(Laws.foldHomomorphism({ decider: Counter.decider, history: oneCounter }), { numRuns })
    })

    it("holds for a projection over many streams", () => {
      fc.assert(Laws.foldHomomorphism({ decider: Counter.totals, history: allCounters }), { numRuns })
    })

    it("is falsified by an evolve with hidden state", () => {
      const decider = Decider.make({ ...Counter.decider, evolve: forgetfulEvolve() })
      assertFalsified(
        fc.check(Laws.foldHomomorphism({ decider, history: oneCounter }), { numRuns }),
        "batches gives another state than folding it at once"
      )
    })

    it("is falsified by an evolve that changes the state in place", () => {
      const decider = Decider.make({ initialState: { count: 0 }, decide: () => Result.succeed([]), evolve: countInPlace })
      assertFalsified(
        fc.check(Laws.foldHomomorphism({ decider, history: oneCounter }), { numRuns }),
        "evolve changed its input state in place"
      )
    })

    describe("is falsified by an evolve that changes nested state in place, even when initialState stays intact", () => {
      // Each evolve builds a fresh state from initialState, then changes that state in place: every
      // fold starts clean and the folds agree, so only watching evolve's input catches it.
      const inPlace = <State>(name: string, initialState: State, change: (state: State, amount: number) => State) =>
        it(name, () => {
          const decider = Decider.make({
            initialState,
            decide: () => Result.succeed([]),
            evolve: (state: State, event: Counter.Event) =>
              change(state === initialState ? structuredClone(initialState) : state, Counter.evolve(0, event))
          })
          assertFalsified(
            fc.check(Laws.foldHomomorphism({ decider, history: oneCounter }), { numRuns }),
            "evolve changed its input state in place"
          )
        })
      inPlace("a Map inside the state", { totals: new Map<string, number>() }, (state, amount) => ({
        totals: state.totals.set("a", (state.totals.get("a") ?? 0) + amount)
      }))
      inPlace("a Set", new Set<number>(), (state, amount) => state.add(amount))
      inPlace("an array", [] as Array<number>, (state, amount) => {
        state.push(amount)
        return [...state]
      })
      inPlace("a nested plain object", { total: { value: 0 } }, (state, amount) => {
        state.total.value += amount
        return { ...state }
      })
      inPlace("a Date", { at: new Date(0) }, (state, amount) => {
        state.at.setTime(state.at.getTime() + amount + 1)
        return { at: state.at }
      })
    })

    it("compares with the given equivalence", () => {
      const decider = Decider.make({ ...Counter.decider, evolve: forgetfulEvolve() })
      fc.assert(Laws.foldHomomorphism({ decider, history: oneCounter, equals: () => true }), { numRuns })
    })
  })

  describe("deterministicDecide", () => {
    it("holds for a pure decide", () => {
      fc.assert(Laws.deterministicDecide({ decider: Counter.decider, commands: Counter.commands }), { numRuns })
    })

    it("is falsified by a decide that numbers events with a counter", () => {
      let next = 0
      const decider = Decider.make({
        ...Counter.decider,
        decide: (command: Counter.Command, count: number) =>
          Result.map(Counter.decide(command, count), (events) => events.map((event) => ({ ...event, id: next++ })))
      })
      assertFalsified(
        fc.check(Laws.deterministicDecide({ decider, commands: Counter.commands }), { numRuns }),
        "decide answered otherwise when asked twice in the same state"
      )
    })

    it("is falsified by a decide that draws random ids", () => {
      const decider = Decider.make({
        ...Counter.decider,
        decide: (command: Counter.Command, count: number) =>
          Result.map(Counter.decide(command, count), (events) => events.map((event) => ({ ...event, id: Math.random() })))
      })
      assertFalsified(
        fc.check(Laws.deterministicDecide({ decider, commands: Counter.commands }), { numRuns }),
        "decide answered otherwise"
      )
    })

    it("is falsified by a decide that reads the clock, even within one millisecond", () => {
      const stamped = (at: number) => (command: Counter.Command, count: number) =>
        Result.map(Counter.decide(command, count), (events) => events.map((event) => ({ ...event, at })))
      const byNow = Decider.make({ ...Counter.decider, decide: (c: Counter.Command, n: number) => stamped(Date.now())(c, n) })
      const byDate = Decider.make({
        ...Counter.decider,
        decide: (c: Counter.Command, n: number) => stamped(new Date().getTime())(c, n)
      })
      for (const decider of [byNow, byDate]) {
        assertFalsified(
          fc.check(Laws.deterministicDecide({ decider, commands: Counter.commands }), { numRuns }),
          // Caught by the replay under a later clock, or, when a millisecond passes in between, by asking twice.
          /playing the same commands again \(with the clock a year later\) decided otherwise|answered otherwise when asked twice/
        )
      }
    })

    it("restores the real clock afterwards", () => {
      const RealDate = Date
      const decider = Decider.make({ ...Counter.decider, decide: () => Result.fail(Date.now()) })
      assert.isTrue(fc.check(Laws.deterministicDecide({ decider, commands: Counter.commands }), { numRuns }).failed)
      assert.strictEqual(globalThis.Date, RealDate)
      assert.isBelow(Math.abs(Date.now() - new Date().getTime()), 1000)
    })
  })

  describe("codecRoundTrip", () => {
    it("holds for a Schema, on values generated from it", () => {
      fc.assert(Laws.codecRoundTrip({ schema: Counter.Event, events: Arbitraries.fromSchema(Counter.Event) }), {
        numRuns
      })
    })

    it("holds for Date, Map, bigint and NaN fields, which the runtime's JSON codec stores and replays", () => {
      const Measured = Schema.TaggedStruct("Measured", {
        at: Schema.Date,
        readings: Schema.ReadonlyMap(Schema.String, Schema.Number),
        count: Schema.BigInt
      })
      fc.assert(Laws.codecRoundTrip({ schema: Measured, events: Arbitraries.fromSchema(Measured) }), { numRuns })
      const events = fc.record({
        _tag: fc.constant("Measured" as const),
        at: fc.date({ noInvalidDate: true }),
        readings: fc.constant(new Map([["nan", Number.NaN]])),
        count: fc.bigInt()
      })
      fc.assert(Laws.codecRoundTrip({ schema: Measured, events }), { numRuns })
    })

    it("stamps the schema version the upcasters give, so current events are not upcast again", () => {
      const registered = Arbitraries.fromSchema(User.Event)
      fc.assert(Laws.codecRoundTrip({ schema: User.Event, upcasters: User.upcasters, events: registered }), { numRuns })
    })

    it("is falsified by a codec that loses information", () => {
      const events = fc.record({ _tag: fc.constant("Incremented" as const), counterId: fc.string(), amount: fc.nat() })
      assertFalsified(
        fc.check(Laws.codecRoundTrip({ schema: LossyEvent, events }), { numRuns }),
        "decoding the recorded event gives another event: the codec loses information"
      )
    })

    it("is falsified by an event the JSON codec refuses: an invalid Date, a non-JSON value in an Unknown field", () => {
      const Noted = Schema.TaggedStruct("Noted", { at: Schema.Date, extra: Schema.Unknown })
      const at = fc.oneof(fc.date({ noInvalidDate: true }), fc.constant(new Date(Number.NaN)))
      const extra = fc.oneof(fc.string(), fc.bigInt(), fc.constant(new Map()))
      for (const events of [
        fc.record({ _tag: fc.constant("Noted" as const), at, extra: fc.string() }),
        fc.record({ _tag: fc.constant("Noted" as const), at: fc.date({ noInvalidDate: true }), extra })
      ]) {
        assertFalsified(fc.check(Laws.codecRoundTrip({ schema: Noted, events }), { numRuns }), "the event does not encode")
      }
    })

    it("is falsified by a hand-written JSON form that is not JSON: every store refuses it", () => {
      class Money {
        readonly cents: number
        constructor(cents: number) {
          this.cents = cents
        }
      }
      const MoneySchema = Schema.declare((u): u is Money => u instanceof Money, {
        toCodecJson: () =>
          Schema.link<Money>()(Schema.Any, { decode: SchemaGetter.passthrough(), encode: SchemaGetter.passthrough() }),
        toEquivalence: () => (self: Money, that: Money) => self.cents === that.cents
      })
      const Paid = Schema.TaggedStruct("Paid", { amount: MoneySchema })
      const events = fc.nat().map((cents) => Paid.make({ amount: new Money(cents) }))
      assertFalsified(
        fc.check(Laws.codecRoundTrip({ schema: Paid, events }), { numRuns }),
        /the encoded event is refused by the store[\s\S]*is not JSON/
      )
    })

    it("is falsified by a value that JSON text does not keep (-0), with an equivalence that tells it apart", () => {
      const Measured = Schema.TaggedStruct("Measured", { celsius: Schema.Number })
      const events = fc.constantFrom(-0, 0, 1.5).map((celsius) => Measured.make({ celsius }))
      assertFalsified(
        fc.check(
          Laws.codecRoundTrip({ schema: Measured, events, equals: (self, that) => Object.is(self.celsius, that.celsius) }),
          { numRuns }
        ),
        "the recorded event does not survive JSON text"
      )
    })
  })

  describe("liveEqualsReplay", () => {
    it("holds on the memory store", async () => {
      await fc.assert(
        Laws.liveEqualsReplay({ ...Counter.handler, commands: Counter.commands, layer: MemoryEventStore.layer }),
        { numRuns }
      )
    })

    it("is falsified by a lossy event codec", async () => {
      const law = Laws.liveEqualsReplay({
        ...Counter.handler,
        eventSchema: LossyEvent,
        commands: Counter.commands,
        layer: MemoryEventStore.layer
      })
      assertFalsified(
        await fc.check(law, { numRuns }),
        "the state replayed from the store differs from the state tracked live"
      )
    })

    it("is falsified by an evolve with hidden state", async () => {
      const decider = Decider.make({ ...Counter.decider, evolve: forgetfulEvolve() })
      const law = Laws.liveEqualsReplay({ ...Counter.handler, decider, commands: Counter.commands, layer: MemoryEventStore.layer })
      assertFalsified(await fc.check(law, { numRuns }), "differs from the state tracked live")
    })

    it("is falsified by an evolve that changes its input state in place", async () => {
      const decider = Decider.make({
        initialState: { count: 0 },
        decide: (command: Counter.Command, state: { count: number }) => Counter.decide(command, state.count),
        evolve: countInPlace
      })
      const law = Laws.liveEqualsReplay({ ...Counter.handler, decider, commands: Counter.commands, layer: MemoryEventStore.layer })
      assertFalsified(await fc.check(law, { numRuns }), "evolve changed its input state in place")
    })

    it("is falsified by a store layer that loses events on read", async () => {
      const forgetful = Layer.effect(
        EventStore.EventStore,
        Effect.map(MemoryEventStore.make, (store) => ({
          ...store,
          read: (streamId: string, range?: EventStore.VersionRange) => store.read(streamId, range).pipe(Stream.take(3))
        }))
      )
      const law = Laws.liveEqualsReplay({ ...Counter.handler, commands: Counter.commands, layer: forgetful })
      assertFalsified(await fc.check(law, { numRuns }), "differs from the state tracked live")
    })
  })

  describe("projectionIncrementalEqualsRebuild", () => {
    it("holds for a pure projection", () => {
      fc.assert(
        Laws.projectionIncrementalEqualsRebuild({
          projection: Counter.totals,
          eventSchema: Counter.Event,
          history: allCounters
        }),
        { numRuns }
      )
    })

    it("is falsified by a projection that changes its read model in place, and so counts twice on rebuild", () => {
      const projection = Projection.make({
        initialState: new Map<string, number>(),
        evolve: (totals: Map<string, number>, event: Counter.Event) =>
          totals.set(event.counterId, Counter.evolve(totals.get(event.counterId) ?? 0, event))
      })
      assertFalsified(
        fc.check(
          Laws.projectionIncrementalEqualsRebuild({ projection, eventSchema: Counter.Event, history: allCounters }),
          { numRuns }
        ),
        "evolve changed its input state in place"
      )
    })

    it("is falsified by a projection with hidden state", () => {
      const projection = Projection.make({ initialState: 0, evolve: forgetfulEvolve() })
      assertFalsified(
        fc.check(
          Laws.projectionIncrementalEqualsRebuild({ projection, eventSchema: Counter.Event, history: allCounters }),
          { numRuns }
        ),
        "gives another read model than a rebuild"
      )
    })

    it("is falsified by a lossy event codec", () => {
      const law = Laws.projectionIncrementalEqualsRebuild({
        projection: Counter.totals,
        eventSchema: LossyEvent,
        history: allCounters
      })
      assertFalsified(fc.check(law, { numRuns }), "projecting the recorded (encoded) events differs from folding the events")
    })
  })

  describe("projectorIncrementalEqualsRebuild", () => {
    it("holds for a running projector on the memory store", async () => {
      await fc.assert(
        Laws.projectorIncrementalEqualsRebuild({
          projection: Counter.totals,
          eventSchema: Counter.Event,
          history: allCounters,
          streamId: Counter.streamId,
          layer: MemoryEventStore.layer
        }),
        { numRuns }
      )
    })

    it("is falsified by a projection that changes its read model in place", async () => {
      const law = Laws.projectorIncrementalEqualsRebuild({
        projection: Projection.make({ initialState: { count: 0 }, evolve: countInPlace }),
        eventSchema: Counter.Event,
        history: allCounters,
        layer: MemoryEventStore.layer
      })
      assertFalsified(await fc.check(law, { numRuns }), "evolve changed its input state in place")
    })

    it("is falsified by a projection with hidden state", async () => {
      const projection = Projection.make({ initialState: 0, evolve: forgetfulEvolve() })
      const law = Laws.projectorIncrementalEqualsRebuild({
        projection,
        eventSchema: Counter.Event,
        history: allCounters,
        layer: MemoryEventStore.layer
      })
      assertFalsified(await fc.check(law, { numRuns }), "has another read model than the fold of its events")
    })

    it("is falsified by a store layer whose subscription skips events", async () => {
      const skipping = Layer.effect(
        EventStore.EventStore,
        Effect.map(MemoryEventStore.make, (store) => ({
          ...store,
          subscribe: (range?: EventStore.PositionRange) =>
            store.subscribe(range).pipe(Stream.filter((recorded) => recorded.position % 4 !== 0))
        }))
      )
      const law = Laws.projectorIncrementalEqualsRebuild({
        projection: Counter.totals,
        eventSchema: Counter.Event,
        history: allCounters,
        streamId: Counter.streamId,
        layer: skipping,
        timeout: "100 millis"
      })
      assertFalsified(
        await fc.check(law, { numRuns }),
        /has another read model than the fold of its events|did not reach the last position in 100ms/
      )
    })
  })
})
