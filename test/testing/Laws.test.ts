import { Decider, Projection } from "@chronicle/core"
import { EventStore } from "@chronicle/runtime"
import { MemoryEventStore } from "@chronicle/store-memory"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Result, Schema, SchemaGetter, Stream } from "effect"
import fc from "fast-check"
import { Arbitraries } from "@chronicle/testing"
import { Laws } from "@chronicle/testing"
import * as Counter from "./Counter.ts"

const numRuns = 100

/** Asserts that fast-check found a counterexample, and that the law's message says `why`. */
const assertFalsified = <Ts>(details: fc.RunDetails<Ts>, why: string | RegExp) => {
  assert.isTrue(details.failed, "the law holds, but it should have been falsified")
  if (typeof why === "string") assert.include(String(details.errorInstance), why)
  else assert.match(String(details.errorInstance), why)
}

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
      const decider = Decider.make({
        initialState: { count: 0 },
        decide: () => Result.succeed([]),
        evolve: (state: { count: number }, event: Counter.Event) => {
          state.count = Counter.evolve(state.count, event)
          return state
        }
      })
      assertFalsified(
        fc.check(Laws.foldHomomorphism({ decider, history: oneCounter }), { numRuns }),
        "evolve changed initialState in place"
      )
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

    it("is falsified by a codec that loses information", () => {
      const events = fc.record({ _tag: fc.constant("Incremented" as const), counterId: fc.string(), amount: fc.nat() })
      assertFalsified(
        fc.check(Laws.codecRoundTrip({ schema: LossyEvent, events }), { numRuns }),
        "decode(encode(value)) differs from the value: the codec loses information"
      )
    })

    it("is falsified by a number that JSON cannot hold", () => {
      const Measured = Schema.Struct({ celsius: Schema.Number })
      const celsius = fc.oneof(fc.double(), fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY))
      assertFalsified(
        fc.check(Laws.codecRoundTrip({ schema: Measured, events: fc.record({ celsius }) }), { numRuns }),
        "the encoded value does not survive JSON"
      )
    })

    it("is falsified by an encoded form that is not plain JSON", () => {
      const Stamped = Schema.Struct({ at: Schema.Date })
      const events = fc.record({ at: fc.date({ noInvalidDate: true }) })
      assertFalsified(
        fc.check(Laws.codecRoundTrip({ schema: Stamped, events }), { numRuns }),
        "after JSON.stringify and JSON.parse it does not decode"
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
        "evolve changed initialState in place"
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
